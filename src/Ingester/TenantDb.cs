using System.Collections.Concurrent;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Head;
using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Ingester;

/// <summary>One tenant's TSDB in this ingester: head, WAL and metric metadata (kept in memory, as Mimir does).</summary>
internal sealed class TenantDb : IDisposable
{
    private readonly ConcurrentDictionary<string, MetricMetadata> _metadata = new(StringComparer.Ordinal);

    private TenantDb(string tenant, string dir, Head head, WriteAheadLog wal, ReplayStats replay)
    {
        Tenant = tenant;
        Dir = dir;
        Head = head;
        Wal = wal;
        Replay = replay;
    }

    internal string Tenant { get; }

    internal string Dir { get; }

    internal Head Head { get; }

    internal WriteAheadLog Wal { get; }

    internal ReplayStats Replay { get; }

    /// <summary>
    /// Opens &lt;dir&gt;: replays the existing WAL into a new head (repairing a torn tail), then opens the WAL
    /// for writing, which starts a new segment after the replayed ones.
    /// </summary>
    internal static TenantDb Open(string tenant, string dir, IngesterOptions options)
    {
        string walDir = Path.Combine(dir, "wal");
        Directory.CreateDirectory(walDir);
        var headOptions = new HeadOptions { BlockRangeMs = options.BlockRangeMs };

        // Replay needs no WAL writer: records go straight into memory.
        var replayHead = new Head(headOptions, wal: null);
        var stats = replayHead.Replay(walDir);
        var wal = WriteAheadLog.Open(walDir, new WalOptions { SegmentSize = options.WalSegmentSize, FsyncOnEveryLog = options.WalFsyncEveryPush });
        var head = replayHead.AttachWal(wal);
        return new TenantDb(tenant, dir, head, wal, stats);
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

    public void Dispose() => Wal.Dispose();
}
