using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using MetricsCluster.Core;
using Microsoft.Win32.SafeHandles;

namespace MetricsCluster.Tsdb.Wal;

/// <summary>
/// Prometheus-format write-ahead log (tsdb/wlog/wlog.go; bytes in docs/format/wal.md). Thread-safe:
/// <see cref="Log(ReadOnlySpan{byte})"/> takes an internal lock. Every record is handed to the OS
/// (a write syscall, so it survives kill -9) before Log returns. fsync happens when a segment is
/// closed, on <see cref="Sync"/>, on <see cref="Dispose"/>, and on every Log when
/// <see cref="WalOptions.FsyncOnEveryLog"/> is set. After an I/O error the instance refuses further
/// writes until <see cref="Recover"/> (WriteAheadLog.Recover.cs) succeeds.
/// </summary>
public sealed partial class WriteAheadLog : IDisposable
{
    // Pages buffered in memory. Records of 20-60 KB usually reach the file in one write syscall
    // with four pages (128 KiB), while a per-tenant WAL stays small in memory.
    private const int BufferPages = 4;

    private readonly Lock _lock = new();
    private readonly WalOptions _options;
    private readonly int _pagesPerSegment;

    // Pages of the current segment not yet recycled. Invariant: every byte past _pageStart + _alloc is zero,
    // so completing a page is just moving on (the zero padding is already there).
    private readonly byte[] _buf = new byte[BufferPages * WalFormat.PageSize];
    private int _pageStart;
    private int _alloc;
    private int _flushed;
    private long _bufFileOffset;
    private int _donePages;

    private SafeFileHandle _segment;
    private int _segmentIndex;
    private long _bytesWritten;
    private Task? _closing;
    private Exception? _closeError;
    private Exception? _failed;
    private bool _disposed;

    private WriteAheadLog(string dir, WalOptions options, int firstSegment)
    {
        Directory = dir;
        _options = options;
        _pagesPerSegment = options.SegmentSize / WalFormat.PageSize;
        _segmentIndex = firstSegment;
        _segment = CreateSegmentFile(dir, firstSegment);
    }

    /// <summary>The WAL directory.</summary>
    public string Directory { get; }

    /// <summary>Index of the segment being written.</summary>
    public int CurrentSegment => Volatile.Read(ref _segmentIndex);

    /// <summary>Bytes written to segment files since open, including page padding.</summary>
    public long BytesWritten => Volatile.Read(ref _bytesWritten);

    /// <summary>Called with the duration of each fsync (for metrics); may run on a background thread.</summary>
    public Action<TimeSpan>? OnFsync { get; set; }

    /// <summary>
    /// Opens (creating if needed) the WAL in <paramref name="dir"/> and starts a new segment numbered after
    /// the last existing segment and checkpoint, as Prometheus does; it never appends into an old segment.
    /// Run <see cref="WalReplay.ReadAndRepair"/> first.
    /// </summary>
    public static WriteAheadLog Open(string dir, WalOptions options)
    {
        options.Validate();
        System.IO.Directory.CreateDirectory(dir);
        var (_, last) = Segments(dir);

        // A checkpoint newer than every segment (all covered segments truncated) must not be followed
        // by a lower segment number, or replay, which starts after the checkpoint, would skip it.
        var (_, checkpoint) = Checkpoint.Last(dir);
        return new WriteAheadLog(dir, options, Math.Max(last, checkpoint) + 1);
    }

    /// <summary>The first and last segment index in <paramref name="dir"/>, or (-1, -1) when there is none.</summary>
    public static (int First, int Last) Segments(string dir)
    {
        var list = WalFormat.ListSegments(dir);
        return list.Count == 0 ? (-1, -1) : (list[0], list[^1]);
    }

    /// <summary>Appends one record (first byte = <see cref="RecordType"/>); an empty record is skipped.</summary>
    public void Log(ReadOnlySpan<byte> record) => Log(record, default);

    /// <summary>
    /// Appends two records with one write, e.g. the series and samples records of one push; either may be
    /// empty and is then skipped. The second may start a new segment if it does not fit the current one.
    /// </summary>
    public void Log(ReadOnlySpan<byte> record1, ReadOnlySpan<byte> record2)
    {
        lock (_lock)
        {
            ThrowIfUnusable();
            try
            {
                if (!record1.IsEmpty)
                {
                    LogOne(record1);
                }

                if (!record2.IsEmpty)
                {
                    LogOne(record2);
                }

                // Prometheus flushPage(false): write what is new, keep filling the page in memory.
                WritePending();
                if (_options.FsyncOnEveryLog)
                {
                    Fsync(_segment);
                }
            }
            catch (Exception e)
            {
                // A record may be half in the file now; appending more would interleave fragments.
                _failed = e;
                throw;
            }
        }
    }

    /// <summary>Fsyncs everything logged so far, including a segment still being closed in the background.</summary>
    public void Sync()
    {
        SafeFileHandle segment;
        Task? closing;
        lock (_lock)
        {
            ThrowIfUnusable();
            segment = _segment;
            closing = _closing;
        }

        // The fsync runs outside the lock so ingestion continues meanwhile.
        closing?.Wait();
        try
        {
            Fsync(segment);
        }
        catch (ObjectDisposedException)
        {
            // The segment was closed concurrently, and closing fsyncs before releasing the handle.
        }

        ThrowIfCloseFailed();
    }

    /// <summary>Pads and fsyncs the current segment, closes it and starts the next; returns the new index.</summary>
    public int NextSegment()
    {
        lock (_lock)
        {
            ThrowIfUnusable();
            try
            {
                CutSegment(background: false);
            }
            catch (Exception e)
            {
                _failed = e;
                throw;
            }

            ThrowIfCloseFailed();
            return _segmentIndex;
        }
    }

    /// <summary>Deletes segment files numbered below <paramref name="beforeSegment"/>; the current segment is never deleted.</summary>
    public void Truncate(int beforeSegment)
    {
        int limit;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            limit = Math.Min(beforeSegment, _segmentIndex);
        }

        foreach (int s in WalFormat.ListSegments(Directory))
        {
            if (s < limit)
            {
                File.Delete(WalFormat.SegmentPath(Directory, s));
            }
        }
    }

    /// <summary>Pads the last page (as Prometheus' Close), writes it, fsyncs and closes the segment.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                if (_failed is null)
                {
                    if (_alloc > 0)
                    {
                        CompletePage();
                    }

                    WritePending();
                    _closing?.Wait();
                    Fsync(_segment);
                }
                else
                {
                    _closing?.Wait();
                }
            }
            finally
            {
                _segment.Dispose();
            }

            ThrowIfCloseFailed();
        }
    }

    private void LogOne(ReadOnlySpan<byte> rec)
    {
        if (WalFormat.PageSize - _alloc < WalFormat.HeaderSize)
        {
            CompletePage();
        }

        // Free payload space in this page plus in the segment's untouched pages (wlog.go log()).
        long left = WalFormat.PageSize - _alloc - WalFormat.HeaderSize
            + ((long)WalFormat.MaxFragmentData * (_pagesPerSegment - _donePages - 1));

        // A record never spans segments. One larger than a whole segment goes first into a fresh
        // segment (Prometheus would leave an empty one behind; a fresh one is simply used).
        if (rec.Length > left && (_donePages > 0 || _alloc > 0))
        {
            CutSegment(background: !_options.FsyncOnEveryLog);
        }

        bool first = true;
        do
        {
            // With exactly 7 bytes left this writes an empty fragment, byte-identical to Prometheus.
            int l = Math.Min(rec.Length, WalFormat.PageSize - _alloc - WalFormat.HeaderSize);
            bool last = l == rec.Length;
            byte kind = first ? (last ? WalFormat.Full : WalFormat.First) : (last ? WalFormat.Last : WalFormat.Middle);
            var part = rec[..l];
            var dst = _buf.AsSpan(_pageStart + _alloc, WalFormat.HeaderSize + l);
            dst[0] = kind;
            BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(1), (ushort)l);
            BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(3), Crc32C.Compute(part));
            part.CopyTo(dst.Slice(WalFormat.HeaderSize));
            _alloc += WalFormat.HeaderSize + l;
            if (WalFormat.PageSize - _alloc < WalFormat.HeaderSize)
            {
                CompletePage();
            }

            rec = rec[l..];
            first = false;
        }
        while (!rec.IsEmpty);
    }

    // Finishes the current page: its tail is already zero. Recycles the buffer when all pages are used.
    private void CompletePage()
    {
        _pageStart += WalFormat.PageSize;
        _alloc = 0;
        _donePages++;
        if (_pageStart == _buf.Length)
        {
            WritePending();
            _bufFileOffset += _buf.Length;
            Array.Clear(_buf);
            _pageStart = 0;
            _flushed = 0;
        }
    }

    private void WritePending()
    {
        int end = _pageStart + _alloc;
        if (end > _flushed)
        {
            RandomAccess.Write(_segment, _buf.AsSpan(_flushed, end - _flushed), _bufFileOffset + _flushed);
            Volatile.Write(ref _bytesWritten, _bytesWritten + (end - _flushed));
            _flushed = end;
        }
    }

    private void CutSegment(bool background)
    {
        if (_alloc > 0)
        {
            CompletePage();
        }

        WritePending();
        _buf.AsSpan(0, _pageStart).Clear();
        _pageStart = _alloc = _flushed = _donePages = 0;
        _bufFileOffset = 0;

        var old = _segment;
        _segment = CreateSegmentFile(Directory, _segmentIndex + 1);
        Volatile.Write(ref _segmentIndex, _segmentIndex + 1);

        // Only one close is in flight at a time; after a whole segment of writes it is long finished.
        _closing?.Wait();
        _closing = null;
        if (background)
        {
            // As Prometheus, the closed segment is fsynced off the ingest path.
            _closing = Task.Run(() => CloseSegment(old));
        }
        else
        {
            CloseSegment(old);
        }
    }

    private void CloseSegment(SafeFileHandle handle)
    {
        try
        {
            Fsync(handle);
        }
        catch (Exception e)
        {
            Volatile.Write(ref _closeError, e);
        }
        finally
        {
            handle.Dispose();
        }
    }

    private void Fsync(SafeFileHandle handle)
    {
        long start = Stopwatch.GetTimestamp();
        RandomAccess.FlushToDisk(handle);
        OnFsync?.Invoke(Stopwatch.GetElapsedTime(start));
    }

    private static SafeFileHandle CreateSegmentFile(string dir, int index)
    {
        var h = File.OpenHandle(
            WalFormat.SegmentPath(dir, index), FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete);

        // Make the new name durable, or a power loss could drop a segment that records were synced into.
        WalFileSystem.FsyncDirectory(dir);
        return h;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed is not null)
        {
            ThrowFailed(_failed);
        }
    }

    private void ThrowIfCloseFailed()
    {
        var e = Volatile.Read(ref _closeError);
        if (e is not null)
        {
            throw new IOException($"fsync of a closed WAL segment in {Directory} failed; its last records may not be durable", e);
        }
    }

    [DoesNotReturn]
    private void ThrowFailed(Exception cause) => throw new IOException(
        $"WAL {Directory} is unusable after an earlier write error; dispose it, run WalReplay.ReadAndRepair and reopen", cause);
}
