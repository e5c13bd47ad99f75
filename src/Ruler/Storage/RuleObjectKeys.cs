using System.Text;
using MetricsCluster.Core;

namespace MetricsCluster.Ruler.Storage;

/// <summary>
/// Mimir's rule-group object keys: <c>rules/&lt;tenant&gt;/&lt;base64url(namespace)&gt;/&lt;base64url(group)&gt;</c>, with Go's
/// <c>base64.URLEncoding</c>, which keeps the '=' padding (Mimir's bucket client). Encoding the names makes any text
/// (slashes, dots, "..") a single safe key segment; the tenant is validated, so no key leaves <c>rules/&lt;tenant&gt;/</c>.
/// </summary>
internal static class RuleObjectKeys
{
    /// <summary>The prefix of every rule object in the bucket.</summary>
    public const string Prefix = "rules/";

    /// <summary>The listing prefix of a tenant: <c>rules/&lt;tenant&gt;/</c>.</summary>
    public static string TenantPrefix(string tenant) => Prefix + TenantId.ThrowIfInvalid(tenant) + "/";

    /// <summary>The listing prefix of a namespace.</summary>
    public static string NamespacePrefix(string tenant, string ns) => TenantPrefix(tenant) + Encode(NotEmpty(ns, "namespace")) + "/";

    /// <summary>The key of a group.</summary>
    public static string Group(string tenant, string ns, string group) => NamespacePrefix(tenant, ns) + Encode(NotEmpty(group, "group name"));

    /// <summary>Go's <c>base64.URLEncoding.EncodeToString</c>: the URL alphabet, padded.</summary>
    public static string Encode(string name) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(name)).Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// Parses a key below <see cref="TenantPrefix"/> (<c>&lt;ns&gt;/&lt;group&gt;</c>); false for anything else, which
    /// listings skip as Mimir does ("do not fail just because of a spurious item in the bucket").
    /// </summary>
    public static bool TryParse(string relativeKey, out RuleGroupKey key)
    {
        key = default;
        string[] parts = relativeKey.Split('/');
        if (parts.Length != 2 || !TryDecode(parts[0], out string ns) || !TryDecode(parts[1], out string group))
        {
            return false;
        }

        key = new RuleGroupKey(ns, group);
        return true;
    }

    private static bool TryDecode(string segment, out string name)
    {
        name = string.Empty;
        var bytes = new byte[segment.Length];
        if (segment.Contains('+') || segment.Contains('/')
            || !Convert.TryFromBase64String(segment.Replace('-', '+').Replace('_', '/'), bytes, out int n) || n == 0)
        {
            return false;
        }

        name = Encoding.UTF8.GetString(bytes, 0, n);
        return true;
    }

    private static string NotEmpty(string name, string what) =>
        string.IsNullOrEmpty(name) ? throw new ArgumentException($"empty {what}") : name;
}
