using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Head;
using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Tsdb.Db;

/// <summary>
/// One TSDB in a directory, as Prometheus' <c>tsdb.DB</c>: the head, its WAL and the local blocks the head was cut
/// into, laid out like a Prometheus data directory (&lt;dir&gt;/wal, &lt;dir&gt;/chunks_head, &lt;dir&gt;/&lt;ULID&gt;).
/// Opening replays the WAL; <see cref="CompactHead"/> cuts the head into blocks; queries merge head and blocks through
/// <see cref="IBlockReader"/> (Db.Read.cs). Thread-safe. Split by concern (G20).
/// </summary>
public sealed partial class Db : IDisposable
{
    /// <summary>Suffix of a block directory being deleted (Prometheus' <c>tmpForDeletionBlockDirSuffix</c>).</summary>
    public const string TmpForDeletionSuffix = ".tmp-for-deletion";

    private readonly HeadCompactor _compactor;

    // Copy-on-write, so queries read a stable list without a lock.
    private SharedBlockReader[] _blocks;

    private Db(string dir, Head.Head head, WriteAheadLog wal, ReplayStats replay, SharedBlockReader[] blocks, DbOptions options, HeadCompactor compactor)
    {
        Dir = dir;
        Head = head;
        Wal = wal;
        Replay = replay;
        Options = options;
        _blocks = blocks;
        _compactor = compactor;
    }

    /// <summary>The data directory.</summary>
    public string Dir { get; }

    /// <summary>The head.</summary>
    public Head.Head Head { get; }

    /// <summary>The head's WAL.</summary>
    public WriteAheadLog Wal { get; }

    /// <summary>What opening replayed from the WAL.</summary>
    public ReplayStats Replay { get; }

    /// <summary>The settings it was opened with.</summary>
    public DbOptions Options { get; }

    /// <summary>Local blocks, oldest first; read one only under a lease (<see cref="SharedBlockReader.TryAcquire"/>).</summary>
    public IReadOnlyList<SharedBlockReader> Blocks => Volatile.Read(ref _blocks);

    /// <summary>Held while a head compaction runs (they never overlap) and while the block list changes.</summary>
    internal object CompactionLock { get; } = new();

    /// <summary>
    /// Opens <paramref name="dir"/> (Prometheus' <c>db.Open</c>): deletes unfinished block directories, opens the
    /// blocks, replays the WAL into a new head skipping samples the newest block already holds, then opens the WAL for
    /// writing, which starts a new segment after the replayed ones.
    /// </summary>
    /// <param name="dir">The data directory; created if missing.</param>
    /// <param name="options">Settings.</param>
    /// <param name="compactor">Cuts the head into blocks; a new one on the system clock when null.</param>
    public static Db Open(string dir, DbOptions options, HeadCompactor? compactor = null)
    {
        options.Validate();
        string walDir = Path.Combine(dir, "wal");
        Directory.CreateDirectory(walDir);
        var headOptions = new HeadOptions { BlockRangeMs = options.BlockRangeMs, ChunkDirectory = Path.Combine(dir, "chunks_head") };
        var blocks = OpenBlocks(dir);

        // Replay needs no WAL writer: records go straight into memory. Samples the newest block already holds
        // are skipped (a crash between block rename and WAL checkpoint leaves them in the WAL).
        var head = new Head.Head(headOptions, wal: null);
        try
        {
            long inBlocks = blocks.Length == 0 ? long.MinValue : blocks.Max(b => b.Meta.MaxTime);
            var stats = head.Replay(walDir, inBlocks);
            var wal = WriteAheadLog.Open(walDir, new WalOptions { SegmentSize = options.WalSegmentSize, FsyncOnEveryLog = options.WalFsyncEveryPush });
            return new Db(dir, head.AttachWal(wal), wal, stats, blocks, options, compactor ?? new HeadCompactor(options.BlockRangeMs, TimeProvider.System));
        }
        catch
        {
            head.Dispose();
            Array.ForEach(blocks, b => b.Drop(deleteDirectory: false));
            throw;
        }
    }

    /// <summary>Appends a batch to the head (and its WAL); rejections reach <paramref name="sink"/> as <see cref="AppendError"/> sentinels; see <see cref="Head.Head.Append"/>.</summary>
    public void Append(PushBatch batch, IAppendSink sink, long maxSeries) => Head.Append(batch, sink, maxSeries);

    /// <summary>
    /// Cuts the head into blocks while it qualifies, or all of it when <paramref name="force"/> (a flush); see
    /// <see cref="HeadCompactor"/>. Returns what each cut did.
    /// </summary>
    /// <exception cref="IOException">Writing a block failed; the head is as before that window.</exception>
    public IReadOnlyList<HeadCompaction> CompactHead(bool force) => _compactor.Compact(this, force);

    /// <summary>
    /// Removes the blocks <paramref name="doomed"/> selects from queries and deletes them from disk, each once the
    /// last query reading it has finished (the ingester's local retention of shipped blocks).
    /// </summary>
    /// <returns>The removed blocks' metas.</returns>
    public IReadOnlyList<BlockMeta> RemoveBlocks(Func<BlockMeta, bool> doomed)
    {
        SharedBlockReader[] removed;
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
            b.Drop(deleteDirectory: true);
        }

        return [.. removed.Select(b => b.Meta)];
    }

    /// <summary>Closes the WAL (flush + fsync), the head and the blocks; directories stay.</summary>
    public void Dispose()
    {
        Wal.Dispose();
        Head.Dispose();
        foreach (var b in Interlocked.Exchange(ref _blocks, []))
        {
            b.Drop(deleteDirectory: false);
        }
    }

    /// <summary>Opens a block just written under <see cref="Dir"/> and makes it visible to queries.</summary>
    internal void AddBlock(string blockDir)
    {
        var block = OpenBlock(blockDir);
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
    private static SharedBlockReader[] OpenBlocks(string dir)
    {
        var blocks = new List<SharedBlockReader>();
        try
        {
            foreach (string path in Directory.EnumerateDirectories(dir))
            {
                string name = Path.GetFileName(path);
                if (name.EndsWith(BlockWriter.TmpSuffix, StringComparison.Ordinal) || name.EndsWith(TmpForDeletionSuffix, StringComparison.Ordinal))
                {
                    Directory.Delete(path, recursive: true);
                    continue;
                }

                if (Ulid.TryParse(name, out _))
                {
                    blocks.Add(OpenBlock(path));
                }
            }
        }
        catch
        {
            blocks.ForEach(b => b.Drop(deleteDirectory: false));
            throw;
        }

        return [.. blocks.OrderBy(b => b.Meta.MinTime).ThenBy(b => b.Meta.Ulid)];
    }

    private static SharedBlockReader OpenBlock(string blockDir)
    {
        var meta = BlockMeta.ReadFrom(blockDir);
        return new SharedBlockReader(meta, BlockReader.Open(blockDir, meta));
    }
}
