using System.Diagnostics.CodeAnalysis;

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

    /// <summary>The rule <see cref="Validate"/> enforces, for error messages.</summary>
    public const string Rule = "tenant IDs are 1 to 150 characters, each an ASCII letter, a digit or one of ! - _ . * ' ( ), and not '.', '..' or '__mimir_cluster'";

    /// <summary>
    /// Returns <paramref name="id"/> when valid, else throws <see cref="InvalidTenantIdException"/>. Every entry that
    /// takes a tenant id from outside the process (HTTP, RPC, directory and bucket listings) goes through
    /// <see cref="Validate"/>, because the id becomes a directory name and an object key prefix.
    /// </summary>
    /// <param name="id">The tenant id to check.</param>
    /// <returns><paramref name="id"/>.</returns>
    /// <exception cref="InvalidTenantIdException">The id breaks <see cref="Rule"/>.</exception>
    public static string ThrowIfInvalid(string? id)
    {
        string? error = Validate(id);
        if (error is not null)
        {
            ThrowInvalid(id, error);
        }

        return id!;
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

    [DoesNotReturn]
    private static void ThrowInvalid(string? id, string reason) => throw new InvalidTenantIdException(id, reason);

    private static bool IsAllowed(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '-' or '_' or '.' or '*' or '\'' or '(' or ')';
}
