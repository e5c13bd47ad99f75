using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Head;
using MetricsCluster.Tsdb.Wal;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Ingester;

/// <summary>
/// Cuts a tenant's head into blocks as Prometheus' head compaction does. While the head spans more than 1.5 ×
/// the block range R, the oldest R-aligned window [k·R, (k+1)·R) that lies entirely before head max − R/2 is
/// (1) closed to appends (<see cref="Tsdb.Head.Head.SetMinValidTime"/>), (2) written as a block into
/// &lt;tenant dir&gt;/&lt;ULID&gt; (tmp dir + atomic rename, Thanos labels {__org_id__: tenant}), (3) truncated
/// from the head, and (4) the WAL is checkpointed at the window end and older segments deleted.
/// A flush (<c>force</c>) cuts every aligned window up to the head's max time, the last one ending at max + 1.
/// docs/ingester-blocks.md says what a crash between the steps leaves behind.
/// </summary>
internal sealed class HeadCompactor
{
    private readonly long _blockRange;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal HeadCompactor(long blockRangeMs, TimeProvider time, ILogger logger)
    {
        _blockRange = blockRangeMs;
        _time = time;
        _logger = logger;
    }

    /// <summary>Writes one block (<see cref="BlockWriter.Write"/>); tests swap it to fail like a full disk does.</summary>
    internal Func<string, Ulid, IEnumerable<ChunkedSeries>, BlockWriteOptions, BlockMeta> WriteBlock { get; set; } = BlockWriter.Write;

    /// <summary>Compacts <paramref name="db"/> while it qualifies (or everything when <paramref name="force"/>); returns the blocks written.</summary>
    internal int Compact(TenantDb db, bool force)
    {
        lock (db.CompactionLock)
        {
            int written = 0;
            while (NextWindow(db, force) is var (from, to))
            {
                if (CompactWindow(db, from, to))
                {
                    written++;
                }
            }

            return written;
        }
    }

    /// <summary>The next range [from, to) to cut, or null when the head does not qualify (Prometheus' compactable rule).</summary>
    private (long From, long To)? NextWindow(TenantDb db, bool force)
    {
        var head = db.Head;
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

    private bool CompactWindow(TenantDb db, long from, long to)
    {
        var head = db.Head;
        long started = _time.GetTimestamp();

        // (1) From here on no append below `to` is accepted, and none is in flight: the snapshot is final.
        long previousMinValid = head.SetMinValidTime(to);
        var series = head.SnapshotRange(from, to);
        string? blockDir = null;
        if (series.Count > 0)
        {
            blockDir = WriteAndOpenBlock(db, series, from, to, previousMinValid);
        }

        // (3) Drop what the block now holds from memory.
        int removed = head.Truncate(to);

        // (4) Checkpoint the closed WAL segments at the boundary and delete them. The block is durable by now, so a
        // failure here (a full disk) only delays reclaiming WAL space: the next compaction checkpoints them.
        try
        {
            TruncateWal(db, to);
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "tenant {Tenant}: checkpointing the WAL at {Boundary} failed; retried at the next compaction", db.Tenant, to);
        }
        _logger.LogInformation(
            "tenant {Tenant}: head truncated before {Boundary}, {Removed} series removed, WAL checkpointed in {Ms} ms",
            db.Tenant, to, removed, (int)_time.GetElapsedTime(started).TotalMilliseconds);
        return blockDir is not null;
    }

    /// <summary>
    /// (2) Writes the window as a block and makes it visible. The block is complete only once BlockWriter has renamed
    /// it from &lt;ULID&gt;.tmp-for-creation (BlockWriter deletes the tmp dir when a write fails). On failure (a full
    /// disk) the head is left exactly as before the attempt, minimum valid time included, so the next compaction
    /// retries the same window; otherwise that window would stay closed to appends and never be cut again.
    /// </summary>
    private string WriteAndOpenBlock(TenantDb db, List<ChunkedSeries> series, long from, long to, long previousMinValid)
    {
        var ulid = Ulid.New(_time);
        string blockDir = Path.Combine(db.Dir, ulid.ToString());
        BlockMeta meta;
        try
        {
            var thanos = new ThanosMeta();
            thanos.Labels["__org_id__"] = db.Tenant;
            meta = WriteBlock(db.Dir, ulid, series, new BlockWriteOptions { MinTime = from, MaxTime = to, Thanos = thanos });
            db.AddBlock(blockDir);
        }
        catch
        {
            // A block renamed but not opened would be read again at restart, and duplicate the head's samples then.
            DeleteIfExists(blockDir);
            db.Head.RestoreMinValidTime(to, previousMinValid);
            throw;
        }

        _logger.LogInformation(
            "tenant {Tenant}: cut head block {Ulid} [{MinTime}, {MaxTime}) with {Series} series, {Samples} samples",
            db.Tenant, ulid, meta.MinTime, meta.MaxTime, meta.Stats.NumSeries, meta.Stats.NumSamples);
        return blockDir;
    }

    private void DeleteIfExists(string blockDir)
    {
        try
        {
            if (Directory.Exists(blockDir))
            {
                Directory.Delete(blockDir, recursive: true);
            }
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "could not delete the unopened block {Dir}; it is deleted at the next start", blockDir);
        }
    }

    /// <summary>
    /// Closes the current segment, checkpoints every older one (keeping series still in the head and samples at
    /// or after <paramref name="mint"/>), then deletes them. Appends continue into the new segment meanwhile.
    /// </summary>
    private static void TruncateWal(TenantDb db, long mint)
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
