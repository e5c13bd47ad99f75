using MetricsCluster.Core.Metrics;

namespace MetricsCluster.Storage.Shipping;

/// <summary>
/// The shipper's metrics, named after Mimir's <c>cortex_ingester_shipper_*</c> (G6: registered in an injected
/// registry; no labels, so every series exists from construction).
/// </summary>
public sealed class ShipperMetrics
{
    /// <summary>Initializes a new instance of the <see cref="ShipperMetrics"/> class.</summary>
    /// <param name="registry">Where the metrics are registered.</param>
    public ShipperMetrics(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        DirSyncs = registry.Counter("metricscluster_ingester_shipper_dir_syncs_total", "Tenant directory scans by the shipper.").WithLabels();
        DirSyncFailures = registry.Counter("metricscluster_ingester_shipper_dir_sync_failures_total", "Tenant directory scans in which at least one block failed to ship.").WithLabels();
        Uploads = registry.Counter("metricscluster_ingester_shipper_uploads_total", "Blocks uploaded completely (meta.json last).").WithLabels();
        UploadFailures = registry.Counter("metricscluster_ingester_shipper_upload_failures_total", "Block uploads that failed; the block is retried next round.").WithLabels();
    }

    /// <summary>Gets the count of tenant directory scans.</summary>
    public Counter DirSyncs { get; }

    /// <summary>Gets the count of scans in which some block failed to ship.</summary>
    public Counter DirSyncFailures { get; }

    /// <summary>Gets the count of blocks shipped.</summary>
    public Counter Uploads { get; }

    /// <summary>Gets the count of failed block uploads.</summary>
    public Counter UploadFailures { get; }

}
