namespace MetricsCluster.Tsdb.Wal;

/// <summary>
/// Healing after a write error (a full disk): the failed record may be half in the current segment, so that
/// segment is cut back to its last whole record and writing goes on in a fresh one.
/// </summary>
public sealed partial class WriteAheadLog
{
    /// <summary>
    /// True after a write error, or after the fsync of a segment closed in the background failed, until
    /// <see cref="Recover"/> succeeds; appends (or syncs) throw meanwhile.
    /// </summary>
    public bool Failed => Volatile.Read(ref _failed) is not null || Volatile.Read(ref _closeError) is not null;

    /// <summary>
    /// Makes a failed log usable again; does nothing when it has not failed. Cuts the current segment back to the
    /// end of its last whole record (a torn record there would otherwise stop replay in the middle of the WAL and
    /// make repair drop every later segment), zero-pads it to a page, and continues in the next segment. A segment
    /// left empty is deleted and its number reused, so repeated attempts on a disk that is still full leave no
    /// trail of empty segments. Every record logged before the error is kept.
    /// </summary>
    /// <exception cref="IOException">The repair or the new segment failed (the disk is still full); the log stays failed and this may be retried.</exception>
    public void Recover()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_failed is null)
            {
                RetryClosedSegmentFsync(_segmentIndex);
                return;
            }

            try
            {
                _closing?.Wait();
            }
            catch (AggregateException)
            {
                // CloseSegment records its own failure in _closeError.
            }

            _closing = null;
            _segment.Dispose();
            int next = RepairSegment(_segmentIndex);
            RetryClosedSegmentFsync(next);
            _segment = CreateSegmentFile(Directory, next);
            Array.Clear(_buf);
            _pageStart = _alloc = _flushed = _donePages = 0;
            _bufFileOffset = 0;
            Volatile.Write(ref _segmentIndex, next);
            _failed = null;
        }
    }

    /// <summary>Cuts segment <paramref name="index"/> at its last whole record; returns the number to write next.</summary>
    private int RepairSegment(int index)
    {
        string path = WalFormat.SegmentPath(Directory, index);
        if (!File.Exists(path))
        {
            // An earlier attempt deleted it as empty and then failed to create its successor.
            return index;
        }

        try
        {
            new WalSegmentReader().Read(path, index, static _ => { });
            long length = new FileInfo(path).Length;
            if (length % WalFormat.PageSize != 0)
            {
                WalFileSystem.TruncateAndPad(path, length);
            }
        }
        catch (WalCorruptionException e)
        {
            WalFileSystem.TruncateAndPad(path, e.ValidUpTo);
        }

        if (new FileInfo(path).Length > 0)
        {
            return index + 1;
        }

        File.Delete(path);
        WalFileSystem.FsyncDirectory(Directory);
        return index;
    }

    /// <summary>
    /// A segment closed in the background whose fsync failed is fsynced again, so the error does not make
    /// <see cref="Sync"/> and <see cref="NextSegment"/> fail for ever once the disk has room again.
    /// </summary>
    private void RetryClosedSegmentFsync(int next)
    {
        if (Volatile.Read(ref _closeError) is null)
        {
            return;
        }

        foreach (int s in WalFormat.ListSegments(Directory))
        {
            if (s < next)
            {
                using var h = File.OpenHandle(WalFormat.SegmentPath(Directory, s), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                RandomAccess.FlushToDisk(h);
            }
        }

        Volatile.Write(ref _closeError, null);
    }
}
