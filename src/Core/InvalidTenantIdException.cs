namespace MetricsCluster.Core;

/// <summary>
/// A tenant id breaks <see cref="TenantId.Rule"/> (G17: stable id, permanent). It derives from
/// <see cref="ArgumentException"/> so the HTTP and RPC boundaries answer it as a bad request that is never retried.
/// </summary>
public sealed class InvalidTenantIdException : ArgumentException
{
    /// <summary>Initializes a new instance of the <see cref="InvalidTenantIdException"/> class.</summary>
    /// <param name="tenant">The rejected id (null when absent).</param>
    /// <param name="reason">Why, from <see cref="TenantId.Validate"/>.</param>
    public InvalidTenantIdException(string? tenant, string reason)
        : base($"invalid tenant ID '{tenant?.Replace("\0", "\\0", StringComparison.Ordinal)}': {reason}; {TenantId.Rule} {ErrorId.Tag(ErrorId.TenantIdInvalid)}")
    {
        Tenant = tenant;
    }

    /// <summary>Gets the rejected id.</summary>
    public string? Tenant { get; }
}
