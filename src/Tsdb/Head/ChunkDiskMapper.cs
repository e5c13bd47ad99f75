using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// The head's closed chunks on disk, in Prometheus' <c>chunks_head/</c> format (docs/format/head-chunks.md):
/// numbered, size-capped segment files read through read-only memory maps. A chunk ref is
/// <c>seq &lt;&lt; 32 | offset</c> of its record. Thread-safe: writes are serialised, reads run concurrently with
/// writes (a segment is readable up to its committed length) under the lifetime rule of <see cref="IHeadChunkStore"/>.
/// </summary>
internal sealed class ChunkDiskMapper : IHeadChunkStore
{
    private readonly string _dir;
    private readonly int _segmentBytes;
    private readonly Lock _lock = new();

    // Open segments in sequence order; only the last one takes writes.
    private readonly SortedDictionary<int, HeadChunkSegment> _segments = [];
    private HeadChunkSegment? _current;
    private int _lastSeq;
    private byte[] _scratch = new byte[4096];
    private bool _disposed;

    private ChunkDiskMapper(string dir, int segmentBytes)
    {
        _dir = dir;
        _segmentBytes = segmentBytes;
    }

    /// <summary>
    /// Opens <paramref name="dir"/> empty: files left by an earlier run are deleted, because WAL replay rebuilds
    /// every chunk (see docs/format/head-chunks.md, "Restart").
    /// </summary>
    internal static ChunkDiskMapper Open(string dir, int segmentBytes)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        return new ChunkDiskMapper(dir, segmentBytes);
    }

    /// <summary>Number of segment files on disk (for tests and metrics).</summary>
    internal int SegmentCount
    {
        get
        {
            lock (_lock)
            {
                return _segments.Count;
            }
        }
    }

    /// <inheritdoc/>
    public ulong Write(ulong seriesRef, long mint, long maxt, ReadOnlySpan<byte> data)
    {
        int size = HeadChunkRecord.SizeOf(data.Length);
        if (size > _segmentBytes - HeadChunkSegment.HeaderSize)
        {
            throw new InvalidOperationException($"a head chunk of {data.Length} bytes does not fit in a {_segmentBytes}-byte head chunk file");
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_current is null || _current.Free < size)
            {
                Cut();
            }

            if (_scratch.Length < size)
            {
                _scratch = new byte[Math.Max(size, _scratch.Length * 2)];
            }

            var record = _scratch.AsSpan(0, size);
            HeadChunkRecord.Encode(record, seriesRef, mint, maxt, ChunkEncoding.Xor, data);
            int offset = _current!.Append(record, maxt);
            return ((ulong)(uint)_current.Seq << 32) | (uint)offset;
        }
    }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Read(ulong chunkRef)
    {
        int seq = (int)(chunkRef >> 32);
        HeadChunkSegment? segment;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _segments.TryGetValue(seq, out segment);
        }

        if (segment is null)
        {
            throw new InvalidDataException($"head chunk file {seq:D6} in {_dir} does not exist (chunk ref {chunkRef:x16})");
        }

        // Outside the lock: the segment cannot be deleted while the caller holds the owning series' lock.
        return segment.ReadChunk((int)(uint)chunkRef);
    }

    /// <inheritdoc/>
    public void Truncate(long mint)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // A segment being written whose chunks all end before mint is closed now, so it can go below.
            if (_current is not null && _current.MaxTime < mint)
            {
                _current.Seal();
                _current = null;
            }

            // Oldest first, stopping at the first file still needed, so the files stay consecutively numbered
            // as Prometheus' reader requires.
            while (_segments.Count > 0)
            {
                var (seq, oldest) = _segments.First();
                if (ReferenceEquals(oldest, _current) || oldest.MaxTime >= mint)
                {
                    break;
                }

                _segments.Remove(seq);
                ((IDisposable)oldest).Dispose();
                File.Delete(oldest.Path);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var s in _segments.Values)
            {
                ((IDisposable)s).Dispose();
            }

            _segments.Clear();
            _current = null;
        }
    }

    private void Cut()
    {
        _current?.Seal();
        _current = HeadChunkSegment.Create(_dir, ++_lastSeq, _segmentBytes);
        _segments.Add(_current.Seq, _current);
    }
}
