using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Block.Compaction;
using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Tsdb.Db;

/// <summary>
/// Cuts a <see cref="Db"/>'s head into blocks as Prometheus' head compaction does. While the head spans more than 1.5 ×
/// the block range R, the oldest R-aligned window [k·R, (k+1)·R) that lies entirely before head max − R/2 is
/// (1) closed to appends (<see cref="Head.Head.SetMinValidTime"/>), (2) written as a block into &lt;dir&gt;/&lt;ULID&gt;
/// from the head's <see cref="Head.RangeHead"/> through <see cref="BlockMerger.Write"/>, the path block compaction takes
/// too (tmp dir + atomic rename), (3) truncated from the head, and (4) the WAL is checkpointed at the window end and older
/// segments deleted. A flush (<c>force</c>) cuts every aligned window up to the head's max time, the last one ending at
/// max + 1. docs/ingester-blocks.md says what a crash between the steps leaves behind.
/// </summary>
public sealed class HeadCompactor
{
    private readonly long _blockRange;
    private readonly TimeProvider _time;

    /// <summary>Creates a compactor for block range <paramref name="blockRangeMs"/>; <paramref name="time"/> makes the block ULIDs (G6).</summary>
    public HeadCompactor(long blockRangeMs, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(blockRangeMs, 0);
        _blockRange = blockRangeMs;
        _time = time;
    }

    /// <summary>
    /// Writes one block (<see cref="BlockMerger.Write"/>: parent dir, ULID, source, options; null when the source holds
    /// no sample); tests swap it to fail like a full disk does.
    /// </summary>
    public Func<string, Ulid, IBlockReader, BlockWriteOptions, BlockMeta?> WriteBlock { get; set; } =
        static (dir, ulid, source, options) => BlockMerger.Write(dir, ulid, source, options);

    /// <summary>Compacts <paramref name="db"/> while it qualifies (or everything when <paramref name="force"/>).</summary>
    internal IReadOnlyList<HeadCompaction> Compact(Db db, bool force)
    {
        lock (db.CompactionLock)
        {
            var steps = new List<HeadCompaction>();
            while (NextWindow(db.Head, force) is var (from, to))
            {
                steps.Add(CompactWindow(db, from, to));
            }

            return steps;
        }
    }

    /// <summary>The next range [from, to) to cut, or null when the head does not qualify (Prometheus' compactable rule).</summary>
    private (long From, long To)? NextWindow(Head.Head head, bool force)
    {
        long maxt = head.MaxTime;
        long mint = Math.Max(head.MinTime, head.MinValidTime);
        if (head.NumSeries == 0 || head.MinTime == long.MaxValue || mint > maxt)
        {
            return null;
        }

        long start = FloorDiv(mint, _blockRange) * _blockRange;
        long end = start + _blockRange;
        if (force)
        {
            return (mint, Math.Min(end, maxt + 1));
        }

        // Cut only when the head spans more than 1.5 ranges and the window is older than the appendable window.
        if (maxt - mint <= _blockRange * 3 / 2 || end > maxt - (_blockRange / 2))
        {
            return null;
        }

        return (mint, end);
    }

    private HeadCompaction CompactWindow(Db db, long from, long to)
    {
        var head = db.Head;
        long started = _time.GetTimestamp();

        // (1) From here on no append below `to` is accepted, and none is in flight: the range is final.
        long previousMinValid = head.SetMinValidTime(to);
        var block = WriteAndOpenBlock(db, from, to, previousMinValid);

        // (3) Drop what the block now holds from memory.
        int removed = head.Truncate(to);

        // (4) Checkpoint the closed WAL segments at the boundary and delete them.
        IOException? walError = null;
        try
        {
            TruncateWal(db, to);
        }
        catch (IOException e)
        {
            walError = e;
        }

        return new HeadCompaction(from, to, block, removed, _time.GetElapsedTime(started), walError);
    }

    /// <summary>
    /// (2) Writes the window as a block and makes it visible. The block is complete only once the writer has renamed
    /// it from &lt;ULID&gt;.tmp-for-creation (it deletes the tmp dir when a write fails). On failure (a full disk) the
    /// head is left exactly as before the attempt, minimum valid time included, so the next compaction retries the
    /// same window; otherwise that window would stay closed to appends and never be cut again.
    /// </summary>
    private BlockMeta? WriteAndOpenBlock(Db db, long from, long to, long previousMinValid)
    {
        var ulid = Ulid.New(_time);
        string blockDir = Path.Combine(db.Dir, ulid.ToString());
        try
        {
            var thanos = new ThanosMeta();
            foreach (var (k, v) in db.Options.BlockLabels)
            {
                thanos.Labels[k] = v;
            }

            var meta = WriteBlock(db.Dir, ulid, db.Head.Range(from, to - 1), new BlockWriteOptions { MinTime = from, MaxTime = to, Thanos = thanos });
            if (meta is not null)
            {
                db.AddBlock(blockDir);
            }

            return meta;
        }
        catch
        {
            // A block renamed but not opened would be read again at restart, and duplicate the head's samples then.
            DeleteIfExists(blockDir);
            db.Head.RestoreMinValidTime(to, previousMinValid);
            throw;
        }
    }

    private static void DeleteIfExists(string blockDir)
    {
        try
        {
            if (Directory.Exists(blockDir))
            {
                Directory.Delete(blockDir, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write's own exception matters more and is rethrown; readers merge a series' duplicate samples once.
        }
    }

    /// <summary>
    /// Closes the current segment, checkpoints every older one (keeping series still in the head and samples at
    /// or after <paramref name="mint"/>), then deletes them. Appends continue into the new segment meanwhile.
    /// </summary>
    private static void TruncateWal(Db db, long mint)
    {
        var wal = db.Wal;
        int current = wal.NextSegment();
        var (first, _) = WriteAheadLog.Segments(wal.Directory);
        var (_, lastCheckpoint) = Checkpoint.Last(wal.Directory);
        // Segments after a checkpoint continue at its index + 1 (WriteAheadLog.Open guarantees it).
        int from = lastCheckpoint >= 0 ? lastCheckpoint + 1 : first;
        int to = current - 1;
        if (from < 0 || from > to)
        {
            return;
        }

        Checkpoint.Create(wal.Directory, from, to, db.Head.ContainsSeries, mint);
        wal.Truncate(to + 1);
    }

    private static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b < 0) ? q - 1 : q;
    }
}
