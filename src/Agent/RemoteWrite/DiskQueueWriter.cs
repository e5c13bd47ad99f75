using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>
/// The write side of the on-disk queue (docs/format/agent-queue.md): appends framed records to the
/// newest segment, cuts segments, fsyncs with group commit, and deletes acknowledged or (over the size
/// limit) dropped segments. Appends are thread-safe; readers learn the durable end through
/// <see cref="ReadLimit"/> and wait on <see cref="DataAvailable"/>.
/// </summary>
internal sealed class DiskQueueWriter : IDisposable
{
    private readonly string _directory;
    private readonly long _segmentSize;
    private readonly long _maxQueueBytes;
    private readonly QueueMetrics _metrics;
    private readonly ILogger _logger;
    private readonly object _lock = new();
#pragma warning disable CA2213 // Deliberately not disposed, see Dispose.
    private readonly SemaphoreSlim _syncLock = new(1, 1);
#pragma warning restore CA2213

    // Segment number -> size in bytes, for every segment file on disk; guarded by _lock.
    private readonly SortedDictionary<int, long> _segments = [];
    private readonly FileStream _lockFile;
    private SafeFileHandle _handle;
    private int _current;
    private long _written;
    private QueuePosition _durable;
    private bool _closed;

    /// <summary>Initializes a new instance of the <see cref="DiskQueueWriter"/> class and starts a new segment.</summary>
    public DiskQueueWriter(string directory, long segmentSize, long maxQueueBytes, QueueMetrics metrics, ILogger logger)
    {
        _directory = directory;
        _segmentSize = segmentSize;
        _maxQueueBytes = maxQueueBytes;
        _metrics = metrics;
        _logger = logger;
        Directory.CreateDirectory(directory);
        _lockFile = LockDirectory(directory);
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            if (QueueFormat.TryParseSegmentName(Path.GetFileName(path), out int segment))
            {
                _segments[segment] = new FileInfo(path).Length;
            }
        }

        // Never append to a segment from an earlier run: its tail may be torn (format doc section 2).
        _current = _segments.Count == 0 ? 0 : _segments.Keys.Max() + 1;
        _handle = CreateSegment(_current);
        _durable = new QueuePosition(_current, QueueFormat.SegmentHeaderSize);
        UpdateSizeMetric();
    }

    /// <summary>Gets the signal set whenever more records become durable.</summary>
    public AsyncSignal DataAvailable { get; } = new();

    /// <summary>Appends one framed record and returns once it is on disk (fsync shared with concurrent appends).</summary>
    public async ValueTask AppendAsync(byte[] record, CancellationToken cancellationToken)
    {
        QueuePosition end;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_written > QueueFormat.SegmentHeaderSize && _written + record.Length > _segmentSize)
            {
                CutSegment();
            }

            RandomAccess.Write(_handle, record, _written);
            _written += record.Length;
            _segments[_current] = _written;
            _metrics.DiskBytes.Add(record.Length);
            end = new QueuePosition(_current, _written);
        }

        await SyncAsync(end, cancellationToken);
    }

    /// <summary>
    /// How far a reader may read in <paramref name="segment"/>: the durable end for the segment being
    /// written, <see cref="long.MaxValue"/> (the file's end) for a finished one.
    /// </summary>
    public long ReadLimit(int segment)
    {
        lock (_lock)
        {
            if (segment != _current)
            {
                return long.MaxValue;
            }

            return _durable.Segment == segment ? _durable.Offset : QueueFormat.SegmentHeaderSize;
        }
    }

    /// <summary>The oldest segment on disk at or after <paramref name="from"/>, or null if there is none yet.</summary>
    public int? SegmentAtOrAfter(int from)
    {
        lock (_lock)
        {
            foreach (int s in _segments.Keys)
            {
                if (s >= from)
                {
                    return s;
                }
            }

            return null;
        }
    }

    /// <summary>Deletes the segments before <paramref name="segment"/> (acknowledged); never the one being written.</summary>
    public void DeleteBefore(int segment)
    {
        List<int> doomed;
        lock (_lock)
        {
            doomed = _segments.Keys.Where(s => s < segment && s != _current).ToList();
            foreach (int s in doomed)
            {
                _segments.Remove(s);
            }

            UpdateSizeMetric();
        }

        foreach (int s in doomed)
        {
            TryDelete(s);
        }
    }

    /// <summary>Fsyncs and closes the segment; further appends throw.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            RandomAccess.FlushToDisk(_handle);
            _handle.Dispose();
            _lockFile.Dispose();
        }

        // _syncLock is not disposed: a SyncAsync still holding it must be able to release it, and a
        // SemaphoreSlim without a wait handle owns nothing to free.
    }

    private static FileStream LockDirectory(string directory)
    {
        // Two queues appending to one directory would interleave segments and fight over the ack file.
        try
        {
            return new FileStream(Path.Combine(directory, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"remote-write queue directory {directory} is in use by another queue (queue_directory must be unique per remote_write entry)", ex);
        }
    }

    private async ValueTask SyncAsync(QueuePosition end, CancellationToken cancellationToken)
    {
        // Group commit: whoever holds the lock fsyncs everything appended so far, so writers queued
        // behind it usually find their record already durable and return without a second fsync.
        await _syncLock.WaitAsync(cancellationToken);
        try
        {
            SafeFileHandle handle;
            QueuePosition target;
            lock (_lock)
            {
                if (_durable >= end)
                {
                    return;
                }

                ObjectDisposedException.ThrowIf(_closed, this);
                handle = _handle;
                target = new QueuePosition(_current, _written);
            }

            try
            {
                RandomAccess.FlushToDisk(handle);
            }
            catch (ObjectDisposedException)
            {
                // A segment cut or Dispose fsynced and closed this handle after we took it: already durable.
            }

            lock (_lock)
            {
                if (target > _durable)
                {
                    _durable = target;
                }
            }
        }
        finally
        {
            _syncLock.Release();
        }

        DataAvailable.Set();
    }

    private void CutSegment()
    {
        // Under _lock. The finished segment is fsynced before readers are told to read it to its end.
        RandomAccess.FlushToDisk(_handle);
        _handle.Dispose();
        _current++;
        _handle = CreateSegment(_current);
        _durable = new QueuePosition(_current, QueueFormat.SegmentHeaderSize);
        DropOldestOverLimit();
        UpdateSizeMetric();
        DataAvailable.Set();
    }

    private SafeFileHandle CreateSegment(int segment)
    {
        string path = Path.Combine(_directory, QueueFormat.SegmentName(segment));
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        Span<byte> header = stackalloc byte[QueueFormat.SegmentHeaderSize];
        QueueFormat.WriteSegmentHeader(header);
        RandomAccess.Write(handle, header, 0);
        _written = QueueFormat.SegmentHeaderSize;
        _segments[segment] = _written;
        return handle;
    }

    private void DropOldestOverLimit()
    {
        long total = _segments.Values.Sum();
        while (total > _maxQueueBytes)
        {
            int oldest = _segments.Keys.First();
            if (oldest == _current)
            {
                return;
            }

            long size = _segments[oldest];
            _segments.Remove(oldest);
            total -= size;
            TryDelete(oldest);
            _metrics.DroppedSegments.Inc();
            _metrics.DroppedBytes.Add(size);
            _logger.LogWarning(
                "Remote-write queue {Directory} exceeds max_queue_bytes={Max}: dropped unsent segment {Segment} ({Bytes} bytes)",
                _directory,
                _maxQueueBytes,
                QueueFormat.SegmentName(oldest),
                size);
        }
    }

    private void TryDelete(int segment)
    {
        try
        {
            File.Delete(Path.Combine(_directory, QueueFormat.SegmentName(segment)));
        }
        catch (IOException ex)
        {
            _logger.LogWarning(ex, "Could not delete queue segment {Segment} in {Directory}", QueueFormat.SegmentName(segment), _directory);
        }
    }

    private void UpdateSizeMetric() => _metrics.DiskBytes.Set(_segments.Values.Sum());
}
