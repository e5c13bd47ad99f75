using MetricsCluster.Compactor;

namespace MetricsCluster.Config;

/// <summary>The compactor's cleanup settings (G5).</summary>
public sealed partial class ClusterConfig
{
    /// <summary>How often the compactor cleans up every tenant (<c>--compactor.cleanup-interval</c>).</summary>
    public TimeSpan CompactorCleanupInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a marked block stays before the compactor deletes it (<c>--compactor.deletion-delay</c>).</summary>
    public TimeSpan CompactorDeletionDelay { get; set; } = TimeSpan.FromHours(12);

    /// <summary>The compactor's cleanup options derived from this config.</summary>
    public CompactorOptions CompactorOptions() => new()
    {
        CleanupInterval = CompactorCleanupInterval,
        DeletionDelay = CompactorDeletionDelay,
    };

    /// <summary>The compactor's flags, in help order.</summary>
    internal static readonly ConfigOption[] CompactorFlags =
    [
        ConfigOption.Dur("compactor.cleanup-interval", "How often the compactor applies retention, deletes marked blocks and rewrites bucket indexes (also once at start).", c => c.CompactorCleanupInterval, (c, v) => c.CompactorCleanupInterval = v),
        ConfigOption.Dur("compactor.deletion-delay", "How long a block marked for deletion stays in the bucket before the compactor deletes it.", c => c.CompactorDeletionDelay, (c, v) => c.CompactorDeletionDelay = v),
    ];
}
