using System.Collections.Concurrent;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Head;
using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Ingester;

/// <summary>
/// One tenant's TSDB in this ingester: head, WAL, the local blocks the head was cut into, and metric metadata
/// (kept in memory, as Mimir does).
/// </summary>
internal sealed class TenantDb : IDisposable
{
    private readonly ConcurrentDictionary<string, MetricMetadata> _metadata = new(StringComparer.Ordinal);

    // Copy-on-write, so queries read a stable list without a lock.
    private LocalBlock[] _blocks;

    private TenantDb(string tenant, string dir, Head head, WriteAheadLog wal, ReplayStats replay, LocalBlock[] blocks, WalGuard guard)
    {
        Tenant = tenant;
        WalGuard = guard;
        Dir = dir;
        Head = head;
        Wal = wal;
        Replay = replay;
        _blocks = blocks;
    }

    /// <summary>Held while a head compaction (periodic or flush) of this tenant runs; they never overlap.</summary>
    internal object CompactionLock { get; } = new();

    /// <summary>Local blocks, oldest first.</summary>
    internal IReadOnlyList<LocalBlock> Blocks => Volatile.Read(ref _blocks);

    internal string Tenant { get; }

    internal string Dir { get; }

    internal Head Head { get; }

    internal WriteAheadLog Wal { get; }

    internal ReplayStats Replay { get; }

    /// <summary>Turns WAL write errors into retryable push errors and heals the WAL once the disk has room.</summary>
    internal WalGuard WalGuard { get; }

    /// <summary>True from a WAL write error (a full disk) until a write succeeds again; pushes meanwhile get a retryable error.</summary>
    internal bool WriteFailing => Wal.Failed || WalGuard.Failing;

    /// <summary>
    /// Opens &lt;dir&gt;: replays the existing WAL into a new head (repairing a torn tail), then opens the WAL
    /// for writing, which starts a new segment after the replayed ones.
    /// </summary>
    internal static TenantDb Open(string tenant, string dir, IngesterOptions options, WalGuard guard)
    {
        string walDir = Path.Combine(dir, "wal");
        Directory.CreateDirectory(walDir);
        var headOptions = new HeadOptions { BlockRangeMs = options.BlockRangeMs, ChunkDirectory = Path.Combine(dir, "chunks_head") };
        var blocks = OpenBlocks(dir);

        // Replay needs no WAL writer: records go straight into memory. Samples the newest block already holds
        // are skipped (a crash between block rename and WAL checkpoint leaves them in the WAL).
        var replayHead = new Head(headOptions, wal: null);
        long inBlocks = blocks.Length == 0 ? long.MinValue : blocks.Max(b => b.Meta.MaxTime);
        var stats = replayHead.Replay(walDir, inBlocks);
        var wal = WriteAheadLog.Open(walDir, new WalOptions { SegmentSize = options.WalSegmentSize, FsyncOnEveryLog = options.WalFsyncEveryPush });
        var head = replayHead.AttachWal(wal);
        return new TenantDb(tenant, dir, head, wal, stats, blocks, guard);
    }

    /// <summary>Opens a block just written under <see cref="Dir"/> and makes it visible to queries.</summary>
    internal void AddBlock(string blockDir)
    {
        var block = Open(blockDir);
        lock (CompactionLock)
        {
            Volatile.Write(ref _blocks, [.. _blocks, block]);
        }
    }

    /// <summary>
    /// Opens every complete block in <paramref name="dir"/> (a directory whose name is a ULID) and deletes
    /// unfinished ones (<c>*.tmp-for-creation</c>, left by a crash before the rename, and <c>*.tmp-for-deletion</c>,
    /// left by a crash during retention), as Prometheus does at start.
    /// </summary>
    private static LocalBlock[] OpenBlocks(string dir)
    {
        var blocks = new List<LocalBlock>();
        foreach (string path in Directory.EnumerateDirectories(dir))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(BlockWriter.TmpSuffix, StringComparison.Ordinal) || name.EndsWith(".tmp-for-deletion", StringComparison.Ordinal))
            {
                Directory.Delete(path, recursive: true);
                continue;
            }

            if (Ulid.TryParse(name, out _))
            {
                blocks.Add(Open(path));
            }
        }

        return [.. blocks.OrderBy(b => b.Meta.MinTime).ThenBy(b => b.Meta.Ulid)];
    }

    private static LocalBlock Open(string blockDir) => new(new SharedBlockReader(BlockMeta.ReadFrom(blockDir), BlockReader.Open(blockDir)));

    /// <summary>
    /// Removes the blocks <paramref name="doomed"/> selects from queries and deletes them from disk, each once the
    /// last query reading it has finished (the ingester's local retention of shipped blocks).
    /// </summary>
    /// <returns>The removed blocks' metas.</returns>
    internal IReadOnlyList<BlockMeta> RemoveBlocks(Func<BlockMeta, bool> doomed)
    {
        LocalBlock[] removed;
        lock (CompactionLock)
        {
            removed = [.. _blocks.Where(b => doomed(b.Meta))];
            if (removed.Length == 0)
            {
                return [];
            }

            Volatile.Write(ref _blocks, [.. _blocks.Except(removed)]);
        }

        foreach (var b in removed)
        {
            b.Shared.Drop(deleteDirectory: true);
        }

        return [.. removed.Select(b => b.Meta)];
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

    public void Dispose()
    {
        Wal.Dispose();
        Head.Dispose();
        foreach (var b in Interlocked.Exchange(ref _blocks, []))
        {
            b.Shared.Drop(deleteDirectory: false);
        }
    }
}
