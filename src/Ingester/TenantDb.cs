using System.Collections.Concurrent;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Db;
using MetricsCluster.Tsdb.Head;
using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Ingester;

/// <summary>
/// One tenant's TSDB in this ingester: the tenant's <see cref="Tsdb.Db.Db"/> (head, WAL, local blocks; replay, head
/// compaction and reads live there) plus what only the ingester knows: the tenant name, the <see cref="WalGuard"/>, and
/// metric metadata (kept in memory, as Mimir does).
/// </summary>
internal sealed class TenantDb : IDisposable
{
    private readonly ConcurrentDictionary<string, MetricMetadata> _metadata = new(StringComparer.Ordinal);

    private TenantDb(string tenant, Db db, WalGuard guard)
    {
        Tenant = tenant;
        Db = db;
        WalGuard = guard;
    }

    internal string Tenant { get; }

    /// <summary>The tenant's TSDB.</summary>
    internal Db Db { get; }

    /// <summary>Local blocks, oldest first.</summary>
    internal IReadOnlyList<SharedBlockReader> Blocks => Db.Blocks;

    internal string Dir => Db.Dir;

    internal Head Head => Db.Head;

    internal WriteAheadLog Wal => Db.Wal;

    internal ReplayStats Replay => Db.Replay;

    /// <summary>Turns WAL write errors into retryable push errors and heals the WAL once the disk has room.</summary>
    internal WalGuard WalGuard { get; }

    /// <summary>True from a WAL write error (a full disk) until a write succeeds again; pushes meanwhile get a retryable error.</summary>
    internal bool WriteFailing => Wal.Failed || WalGuard.Failing;

    /// <summary>Opens the tenant's TSDB in <paramref name="dir"/> (<see cref="Db.Open"/>); its blocks carry <c>__org_id__</c> = tenant.</summary>
    internal static TenantDb Open(string tenant, string dir, IngesterOptions options, WalGuard guard, HeadCompactor compactor)
    {
        var dbOptions = new DbOptions
        {
            BlockRangeMs = options.BlockRangeMs,
            WalSegmentSize = options.WalSegmentSize,
            WalFsyncEveryPush = options.WalFsyncEveryPush,
            BlockLabels = new Dictionary<string, string> { ["__org_id__"] = tenant },
        };
        return new TenantDb(tenant, Db.Open(dir, dbOptions, compactor), guard);
    }

    internal void AddMetadata(IEnumerable<MetricMetadata> metadata)
    {
        foreach (var m in metadata)
        {
            _metadata[m.MetricFamilyName] = m;
        }
    }

    internal IReadOnlyList<MetricMetadata> Metadata(string? metric, int limit)
    {
        var all = _metadata.Values.Where(m => metric is null || m.MetricFamilyName == metric)
            .OrderBy(m => m.MetricFamilyName, StringComparer.Ordinal);
        return (limit > 0 ? all.Take(limit) : all).ToList();
    }

    public void Dispose() => Db.Dispose();
}
