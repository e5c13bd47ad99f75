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

    /// <summary>
    /// Resolves the tenant of a request from its <c>X-Scope-OrgID</c> header value. With
    /// multitenancy disabled every request is <see cref="Anonymous"/>, whatever the header says (as
    /// Mimir's <c>-auth.multitenancy-enabled=false</c>). A missing header gives "no org id"; a header
    /// naming several tenants (<c>a|b</c>, query federation syntax) cannot be written to.
    /// </summary>
    /// <param name="headerValue">The header value, or null when absent.</param>
    /// <param name="multitenancyEnabled">Whether <c>--auth.multitenancy-enabled</c> is on.</param>
    /// <param name="tenant">The tenant when the result is true, else "".</param>
    /// <param name="error">The reason when the result is false, else null.</param>
    /// <returns>True when <paramref name="tenant"/> is usable.</returns>
    public static bool TryResolve(string? headerValue, bool multitenancyEnabled, out string tenant, out string? error)
    {
        tenant = string.Empty;
        if (!multitenancyEnabled)
        {
            tenant = Anonymous;
            error = null;
            return true;
        }

        if (headerValue is not null && headerValue.Contains('|', StringComparison.Ordinal))
        {
            error = "multiple org IDs present";
            return false;
        }

        error = Validate(headerValue);
        if (error is not null)
        {
            return false;
        }

        tenant = headerValue!;
        return true;
    }

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
