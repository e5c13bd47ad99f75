using System.Buffers.Text;
using System.Text;

namespace MetricsCluster.Ruler.Evaluation;

/// <summary>
/// Names one rule group in the cluster: tenant, namespace and group. Its text form (<see cref="ToString"/>) is the
/// group grain's key and the group's object name under <c>rules/</c> (<c>tenant/base64url(namespace)/base64url(group)</c>),
/// so any namespace or group name, slashes included, maps to one key and back.
/// </summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Namespace">The namespace (Prometheus' rule file).</param>
/// <param name="Group">The group's name.</param>
public sealed record RuleGroupKey(string Tenant, string Namespace, string Group)
{
    /// <summary>Parses the text form; null when it is not one.</summary>
    public static RuleGroupKey? Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string[] parts = key.Split('/');
        if (parts.Length != 3 || parts[0].Length == 0)
        {
            return null;
        }

        try
        {
            return new RuleGroupKey(parts[0], Decode(parts[1]), Decode(parts[2]));
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
