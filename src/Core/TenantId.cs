namespace MetricsCluster.Core;

/// <summary>Mimir's tenant-id rules: at most 150 bytes of <c>[0-9a-zA-Z!-_.*'()]</c>, not "." or "..", not reserved.</summary>
public static class TenantId
{
    /// <summary>The HTTP header that carries the tenant.</summary>
    public const string Header = "X-Scope-OrgID";

    /// <summary>The tenant used when multitenancy is disabled.</summary>
    public const string Anonymous = "anonymous";

    /// <summary>Maximum length in bytes.</summary>
    public const int MaxLength = 150;

    /// <summary>Returns null when valid, else the reason (Mimir's wording).</summary>
    public static string? Validate(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "no org id";
        }

        if (id.Length > MaxLength)
        {
            return $"tenant ID is too long: max {MaxLength} characters";
        }

        if (id is "." or "..")
        {
            return "tenant ID is '.' or '..'";
        }

        if (id == "__mimir_cluster")
        {
            return "tenant ID '__mimir_cluster' is not allowed";
        }

        foreach (char c in id)
        {
            if (!IsAllowed(c))
            {
                return $"tenant ID '{id}' contains unsupported character '{c}'";
            }
        }

        return null;
    }

    private static bool IsAllowed(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '-' or '_' or '.' or '*' or '\'' or '(' or ')';
}
