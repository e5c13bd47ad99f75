using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;

namespace MetricsCluster.Ingester;

/// <summary>The ingester's metrics: active series and WAL activity per tenant.</summary>
internal sealed class IngesterMetrics
{
    private readonly CounterFamily _appended;
    private readonly HistogramFamily _fsync;
    private readonly CounterFamily _localBlocksDeleted;
    private readonly CounterFamily _instanceRejected;

    internal IngesterMetrics(MetricsRegistry registry, Ingester ingester)
    {
        _appended = registry.Counter("metricscluster_ingester_ingested_samples_total", "Samples appended to the head and the WAL.", "user");
        _instanceRejected = registry.Counter("metricscluster_ingester_instance_rejected_requests_total", "Pushes refused by a per-instance limit, by reason.", "reason");
        _instanceRejected.WithLabels(ErrorId.Reason(ErrorId.IngesterMaxInflightPushRequests));
        _instanceRejected.WithLabels(ErrorId.Reason(ErrorId.IngesterMaxTenants));
        _localBlocksDeleted = registry.Counter("metricscluster_ingester_local_blocks_deleted_total", "Shipped local blocks deleted after the local retention period.");
        _fsync = registry.Histogram("metricscluster_ingester_wal_fsync_duration_seconds", "Duration of WAL fsyncs.", HistogramFamily.DefaultBuckets, "user");
        registry.GaugeCallback(
            "metricscluster_ingester_active_series",
            "Series in the head.",
            () => ingester.OpenTenants.Select(t => (new[] { t.Tenant }, (double)t.Head.NumSeries)),
            "user");
        registry.CounterCallback(
            "metricscluster_ingester_wal_written_bytes_total",
            "Bytes written to the WAL since start.",
            () => ingester.OpenTenants.Select(t => (new[] { t.Tenant }, (double)t.Wal.BytesWritten)),
            "user");
        registry.GaugeCallback(
            "metricscluster_ingester_tenant_write_failing",
            "1 while the tenant's WAL cannot be written (e.g. a full disk) and its pushes are refused with a retryable error.",
            () => ingester.OpenTenants.Select(t => (new[] { t.Tenant }, t.WriteFailing ? 1.0 : 0.0)),
            "user");
        registry.CounterCallback(
            "metricscluster_ingester_wal_write_errors_total",
            "WAL writes and recoveries that failed with an I/O error.",
            () => ingester.OpenTenants.Select(t => (new[] { t.Tenant }, (double)t.WalGuard.Errors)),
            "user");
        registry.GaugeCallback(
            "metricscluster_ingester_tenant_quarantined",
            "1 for a tenant whose TSDB could not be opened; its directory is left in place and its pushes fail.",
            () => ingester.QuarantinedTenants.Keys.Select(t => (new[] { t }, 1.0)),
            "user");
        registry.GaugeCallback(
            "metricscluster_ingester_inflight_push_requests",
            "Pushes in flight in this ingester.",
            () => [(Array.Empty<string>(), ingester.InflightPushRequests)]);
        registry.GaugeCallback(
            "metricscluster_ingester_memory_tenants",
            "Tenants with a TSDB open in this ingester.",
            () => [(Array.Empty<string>(), ingester.OpenTenants.Count())]);
    }

    internal void Appended(string tenant, int samples) => _appended.WithLabels(tenant).Add(samples);

    internal void InstanceRejected(string errorId) => _instanceRejected.WithLabels(ErrorId.Reason(errorId)).Inc();

    internal void LocalBlocksDeleted(int count) => _localBlocksDeleted.WithLabels().Add(count);

    internal void TenantOpened(TenantDb db)
    {
        var h = _fsync.WithLabels(db.Tenant);
        db.Wal.OnFsync = d => h.Observe(d.TotalSeconds);
        _appended.WithLabels(db.Tenant);
    }
}
