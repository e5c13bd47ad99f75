namespace MetricsCluster.Compactor;

/// <summary>
/// Settings of the compactor's blocks cleaner (Mimir <c>compactor.Config</c>, the cleanup part); retention itself is a
/// per-tenant limit (<see cref="Core.Limits.Limits.CompactorBlocksRetentionPeriod"/>). Defaults are Mimir's (G5).
/// </summary>
public sealed class CompactorOptions
{
    /// <summary>Gets or sets how often every tenant is cleaned up, after one run at start (<c>--compactor.cleanup-interval</c>).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Gets or sets how long a block stays after its deletion mark before it is hard-deleted, so queriers and
    /// store-gateways have stopped using it (<c>--compactor.deletion-delay</c>).
    /// </summary>
    public TimeSpan DeletionDelay { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Throws when a value is out of range, naming its flag.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (CleanupInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("compactor.cleanup-interval must be positive");
        }

        if (DeletionDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("compactor.deletion-delay must be >= 0");
        }
    }
}
