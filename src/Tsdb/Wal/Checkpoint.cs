namespace MetricsCluster.Tsdb.Wal;

/// <summary>Counts of a checkpoint run.</summary>
/// <param name="DroppedSeries">Series entries read but not kept.</param>
/// <param name="DroppedSamples">Samples read but not kept (too old or of a dropped series).</param>
/// <param name="TotalSeries">Series entries read.</param>
/// <param name="TotalSamples">Samples read.</param>
public sealed record CheckpointStats(int DroppedSeries, int DroppedSamples, int TotalSeries, int TotalSamples);

/// <summary>
/// WAL checkpoints as Prometheus (tsdb/wlog/checkpoint.go): the still-relevant content of a range of
/// segments, compacted into <c>checkpoint.NNNNNNNN/</c> (named after the last segment it covers) so the
/// segments can be deleted. Replay reads the newest checkpoint, then the segments after it.
/// </summary>
public static class Checkpoint
{
    /// <summary>
    /// Reads the previous checkpoint and segments [<paramref name="from"/>..<paramref name="to"/>] and keeps
    /// series records for which <paramref name="keep"/>(ref) is true, samples with t ≥ <paramref name="mint"/>
    /// of kept series, tombstones of kept series that reach t ≥ mint, and the latest metadata per kept
    /// series. Exemplar, mmap-marker and unknown records are dropped. Writes <c>checkpoint.&lt;to&gt;.tmp/</c>,
    /// fsyncs it, renames it to <c>checkpoint.&lt;to&gt;</c>, then deletes older checkpoints. Segment
    /// <paramref name="to"/> must be closed (below the writer's current segment); segments are not deleted
    /// here: call <see cref="WriteAheadLog.Truncate"/> with <paramref name="to"/> + 1 afterwards.
    /// </summary>
    public static CheckpointStats Create(string walDir, int from, int to, Func<ulong, bool> keep, long mint)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(from, to);
        var (previous, previousIndex) = Last(walDir);
        if (previous is not null)
        {
            if (from > previousIndex + 1)
            {
                throw new InvalidOperationException(
                    $"WAL checkpoint gap in {walDir}: last checkpoint covers segment {previousIndex}, requested start {from}");
            }

            // Segments up to the previous checkpoint are already in it.
            from = previousIndex + 1;
        }

        string final = Path.Combine(walDir, WalFormat.CheckpointName(to));
        string tmp = final + ".tmp";
        DeleteDirectory(tmp);
        try
        {
            var stats = Write(walDir, tmp, previous, from, to, keep, mint);
            WalFileSystem.FsyncDirectory(tmp);
            DeleteDirectory(final);
            Directory.Move(tmp, final);
            WalFileSystem.FsyncDirectory(walDir);
            DeleteOlder(walDir, to);
            return stats;
        }
        catch
        {
            DeleteDirectory(tmp);
            throw;
        }
    }

    /// <summary>The newest checkpoint directory and the segment index it covers up to, or (null, -1).</summary>
    public static (string? Dir, int Index) Last(string walDir)
    {
        string? dir = null;
        int best = -1;
        foreach (var (path, index) in List(walDir))
        {
            if (index > best)
            {
                (dir, best) = (path, index);
            }
        }

        return (dir, best);
    }

    private static CheckpointStats Write(string walDir, string tmp, string? previous, int from, int to, Func<ulong, bool> keep, long mint)
    {
        var reader = new WalSegmentReader();
        using var filter = new CheckpointFilter(WriteAheadLog.Open(tmp, new WalOptions()), keep, mint);
        if (previous is not null)
        {
            WalReplay.ReadCheckpoint(reader, previous, filter.OnRecord);
        }

        for (int s = from; s <= to; s++)
        {
            string path = WalFormat.SegmentPath(walDir, s);
            if (!File.Exists(path))
            {
                throw new InvalidDataException($"WAL segment {path} is missing; cannot checkpoint segments {from}..{to}");
            }

            reader.Read(path, s, filter.OnRecord);
        }

        return filter.Finish();
    }

    private static IEnumerable<(string Path, int Index)> List(string walDir)
    {
        if (!Directory.Exists(walDir))
        {
            yield break;
        }

        foreach (string path in Directory.EnumerateDirectories(walDir, WalFormat.CheckpointPrefix + "*"))
        {
            // "checkpoint.00000012.tmp" does not parse, so unfinished checkpoints are ignored.
            string name = Path.GetFileName(path);
            if (WalFormat.TryParseSegmentName(name[WalFormat.CheckpointPrefix.Length..], out int index))
            {
                yield return (path, index);
            }
        }
    }

    private static void DeleteOlder(string walDir, int index)
    {
        foreach (var (path, i) in List(walDir).ToList())
        {
            if (i < index)
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    private static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
