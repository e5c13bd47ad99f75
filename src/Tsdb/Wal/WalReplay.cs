namespace MetricsCluster.Tsdb.Wal;

/// <summary>
/// Replays a WAL directory in order: the newest checkpoint (if any), then the segments after it, and
/// repairs a torn or damaged tail so the head can start (Prometheus head.Init plus wlog Repair).
/// </summary>
public static class WalReplay
{
    /// <summary>
    /// Calls <paramref name="onRecord"/> for each record (the span is valid only during the call). On a
    /// torn or corrupt segment it stops, deletes all later segments, cuts the damaged segment at the end
    /// of its last good record (zero-padding it to a page boundary, as Prometheus' repair leaves it) and
    /// returns what was dropped; returns null when the WAL was clean. Call it before
    /// <see cref="WriteAheadLog.Open"/>, never while a writer is open on the directory.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint is damaged or a segment is missing in the middle; nothing is deleted.</exception>
    /// <exception cref="NotSupportedException">A record uses zstd compression; nothing is deleted.</exception>
    public static WalCorruption? ReadAndRepair(string walDir, WalRecordHandler onRecord)
    {
        if (!Directory.Exists(walDir))
        {
            return null;
        }

        var reader = new WalSegmentReader();
        var (checkpointDir, checkpointIndex) = Checkpoint.Last(walDir);
        if (checkpointDir is not null)
        {
            ReadCheckpoint(reader, checkpointDir, onRecord);
        }

        // Segments covered by the checkpoint may linger until truncation; replay starts after it.
        var segments = WalFormat.ListSegments(walDir);
        segments.RemoveAll(s => s <= checkpointIndex);
        if (segments.Count == 0)
        {
            return null;
        }

        WalFormat.RequireContiguous(walDir, segments, checkpointDir is null ? segments[0] : checkpointIndex + 1);
        foreach (int s in segments)
        {
            string path = WalFormat.SegmentPath(walDir, s);
            try
            {
                reader.Read(path, s, onRecord);
            }
            catch (WalCorruptionException e)
            {
                return Repair(walDir, segments, e);
            }

            PadToPage(path);
        }

        return null;
    }

    /// <summary>Reads every record of the checkpoint directory <paramref name="checkpointDir"/>.</summary>
    internal static void ReadCheckpoint(WalSegmentReader reader, string checkpointDir, WalRecordHandler onRecord)
    {
        var segments = WalFormat.ListSegments(checkpointDir);
        if (segments.Count == 0)
        {
            return;
        }

        WalFormat.RequireContiguous(checkpointDir, segments, segments[0]);
        foreach (int s in segments)
        {
            try
            {
                reader.Read(WalFormat.SegmentPath(checkpointDir, s), s, onRecord);
            }
            catch (WalCorruptionException e)
            {
                // A checkpoint is fsynced before it is renamed into place, so damage here is not a torn
                // write that truncation could fix: stop and let an operator look.
                throw new InvalidDataException($"WAL checkpoint {checkpointDir} is corrupt: {e.Message}", e);
            }
        }
    }

    private static WalCorruption Repair(string walDir, List<int> segments, WalCorruptionException e)
    {
        string damaged = WalFormat.SegmentPath(walDir, e.Segment);
        long dropped = new FileInfo(damaged).Length - e.ValidUpTo;

        // Later segments first (as Prometheus): if we crash midway, the next replay repairs again.
        foreach (int s in segments)
        {
            if (s > e.Segment)
            {
                string path = WalFormat.SegmentPath(walDir, s);
                dropped += new FileInfo(path).Length;
                File.Delete(path);
            }
        }

        WalFileSystem.TruncateAndPad(damaged, e.ValidUpTo);
        WalFileSystem.FsyncDirectory(walDir);
        return new WalCorruption(e.Segment, e.ValidUpTo, $"{e.Reason} (damaged fragment at byte {e.Offset})", dropped);
    }

    // A crash leaves the last segment ending mid-page. Its records are intact (it was just read), so
    // zero padding to the page boundary is valid WAL, and it keeps Prometheus versions that read
    // several segments as one stream aligned to pages.
    private static void PadToPage(string path)
    {
        long length = new FileInfo(path).Length;
        if (length % WalFormat.PageSize != 0)
        {
            WalFileSystem.TruncateAndPad(path, length);
        }
    }
}
