using System.Buffers.Text;
using System.Text;

namespace MetricsCluster.Ruler.Evaluation;

/// <summary>
/// Identifies one rule group in the cluster: tenant, namespace and group. Its text form (<see cref="ToString"/>,
/// <c>tenant/base64url(namespace)/base64url(group)</c> unpadded) is the group grain's key, so any namespace or group
/// name, slashes included, maps to one key and back.
/// </summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Namespace">The namespace (Prometheus' rule file).</param>
/// <param name="Group">The group's name.</param>
public sealed record RuleGroupId(string Tenant, string Namespace, string Group)
{
    /// <summary>Parses the text form; null when it is not one.</summary>
    public static RuleGroupId? Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string[] parts = key.Split('/');
        if (parts.Length != 3 || parts[0].Length == 0)
        {
            return null;
        }

        try
        {
            return new RuleGroupId(parts[0], Decode(parts[1]), Decode(parts[2]));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Tenant}/{Encode(Namespace)}/{Encode(Group)}";

    private static string Encode(string s) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(s));

    private static string Decode(string s) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(s));
}
