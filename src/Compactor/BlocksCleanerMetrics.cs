using MetricsCluster.Core.Metrics;

namespace MetricsCluster.Compactor;

/// <summary>The blocks cleaner's metrics (Mimir's <c>cortex_compactor_block*</c> families, under our prefix, G6).</summary>
public sealed class BlocksCleanerMetrics
{
    /// <summary>The reason label of blocks marked because they aged out of retention.</summary>
    public const string ReasonRetention = "retention";

    /// <summary>The reason label of stale partial blocks marked for deletion.</summary>
    public const string ReasonPartial = "partial";

    /// <summary>The reason label of source blocks marked once their compacted block was uploaded (Mimir's <c>compaction</c>).</summary>
    public const string ReasonCompaction = "compaction";

    private readonly GaugeFamily _lastSuccess;
    private readonly CounterFamily _tenantFailures;

    /// <summary>Initializes a new instance of the <see cref="BlocksCleanerMetrics"/> class.</summary>
    /// <param name="registry">The process registry.</param>
    public BlocksCleanerMetrics(MetricsRegistry registry)
    {
        var marked = registry.Counter(
            "metricscluster_compactor_blocks_marked_for_deletion_total", "Blocks the compactor marked for deletion.", "reason");
        MarkedForRetention = marked.WithLabels(ReasonRetention);
        MarkedPartial = marked.WithLabels(ReasonPartial);
        MarkedCompacted = marked.WithLabels(ReasonCompaction);
        Cleaned = registry.Counter("metricscluster_compactor_blocks_cleaned_total", "Blocks the compactor hard-deleted from the bucket.").WithLabels();
        BlockFailures = registry.Counter(
            "metricscluster_compactor_block_cleanup_failures_total", "Blocks the compactor failed to mark or delete (retried next run).").WithLabels();
        _tenantFailures = registry.Counter(
            "metricscluster_compactor_tenant_cleanup_failures_total", "Tenant cleanup runs that failed (other tenants still ran).", "tenant");
        _lastSuccess = registry.Gauge(
            "metricscluster_compactor_block_cleanup_last_successful_run_timestamp_seconds",
            "Unix time of the tenant's last successful cleanup run.",
            "tenant");
    }

    /// <summary>Gets the counter of blocks marked because their maxTime left the retention period.</summary>
    public Counter MarkedForRetention { get; }

    /// <summary>Gets the counter of stale partial blocks marked for deletion.</summary>
    public Counter MarkedPartial { get; }

    /// <summary>Gets the counter of source blocks marked because a compacted block replaced them.</summary>
    public Counter MarkedCompacted { get; }

    /// <summary>Gets the counter of hard-deleted blocks.</summary>
    public Counter Cleaned { get; }

    /// <summary>Gets the counter of blocks that could not be marked or deleted.</summary>
    public Counter BlockFailures { get; }

    /// <summary>The counter of failed cleanup runs of <paramref name="tenant"/>.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>Its counter.</returns>
    public Counter TenantFailures(string tenant) => _tenantFailures.WithLabels(tenant);

    /// <summary>The gauge of <paramref name="tenant"/>'s last successful run.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>Its gauge, in Unix seconds.</returns>
    public Gauge LastSuccessfulRun(string tenant) => _lastSuccess.WithLabels(tenant);
}
