using MetricsCluster.Core.Metrics;

namespace MetricsCluster.Compactor.Compaction;

/// <summary>The compaction run's metrics (Mimir's <c>cortex_compactor_*</c> and <c>prometheus_tsdb_compactions*</c> families, under our prefix).</summary>
public sealed class CompactionMetrics
{
    private readonly GaugeFamily _lastSuccess;

    /// <summary>Initializes a new instance of the <see cref="CompactionMetrics"/> class.</summary>
    /// <param name="registry">The process registry.</param>
    public CompactionMetrics(MetricsRegistry registry)
    {
        Compactions = registry.Counter("metricscluster_compactor_compactions_total", "Compaction jobs that wrote and uploaded a new block.").WithLabels();
        CompactionFailures = registry.Counter("metricscluster_compactor_compactions_failed_total", "Compaction jobs that failed (retried next run).").WithLabels();
        SourcesCompacted = registry.Counter("metricscluster_compactor_blocks_compacted_total", "Source blocks merged into a compacted block.").WithLabels();
        SamplesWritten = registry.Counter("metricscluster_compactor_samples_written_total", "Samples written into compacted blocks (after de-duplication).").WithLabels();
        NoCompactMarked = registry.Counter("metricscluster_compactor_blocks_marked_for_no_compaction_total", "Blocks the compactor marked no-compact because it could not read them.").WithLabels();
        var downsamples = registry.Counter("metricscluster_compactor_downsamples_total", "Downsampled blocks written and uploaded, by target resolution in ms.", "resolution");
        Downsamples5m = downsamples.WithLabels("300000");
        Downsamples1h = downsamples.WithLabels("3600000");
        DownsampleFailures = registry.Counter("metricscluster_compactor_downsamples_failed_total", "Downsampling jobs that failed (retried next run).").WithLabels();
        _lastSuccess = registry.Gauge(
            "metricscluster_compactor_last_successful_run_timestamp_seconds", "Unix time of the tenant's last compaction run without a failed job.", "tenant");
    }

    /// <summary>Gets the counter of successful jobs.</summary>
    public Counter Compactions { get; }

    /// <summary>Gets the counter of failed jobs.</summary>
    public Counter CompactionFailures { get; }

    /// <summary>Gets the counter of merged source blocks.</summary>
    public Counter SourcesCompacted { get; }

    /// <summary>Gets the counter of samples written into new blocks.</summary>
    public Counter SamplesWritten { get; }

    /// <summary>Gets the counter of no-compact marks written.</summary>
    public Counter NoCompactMarked { get; }

    /// <summary>Gets the counter of 5m blocks written.</summary>
    public Counter Downsamples5m { get; }

    /// <summary>Gets the counter of 1h blocks written.</summary>
    public Counter Downsamples1h { get; }

    /// <summary>Gets the counter of failed downsampling jobs.</summary>
    public Counter DownsampleFailures { get; }

    /// <summary>The gauge of <paramref name="tenant"/>'s last run without a failed job.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>Its gauge, in Unix seconds.</returns>
    public Gauge LastSuccessfulRun(string tenant) => _lastSuccess.WithLabels(tenant);
}
