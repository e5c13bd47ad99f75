using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Tsdb.Block.Compaction;

/// <summary>
/// The samples of a <see cref="MergeSource"/>'s current series, decoded one chunk at a time from the mapped
/// segments or copied from the head. Samples outside the source's range are skipped (a head chunk may straddle the
/// range being cut). Checks what the merge relies on: XOR encoding, an intact bit stream, every sample inside its
/// chunk's [MinT, MaxT], and timestamps strictly increasing across the series; anything else is a
/// <see cref="BlockMergeSourceException"/>. Reused for every series of its source; not thread-safe.
/// </summary>
internal sealed class SourceSamples
{
    private readonly MergeSource _source;
    private readonly XorIterator _xor = new();
    private int _nextChunk;
    private bool _inChunk;
    private ChunkMeta _chunk;
    private bool _any;

    public SourceSamples(MergeSource source) => _source = source;

    /// <summary>Timestamp of the current sample, ms.</summary>
    public long T { get; private set; }

    /// <summary>Value of the current sample; NaN payloads (stale markers) are kept bit for bit.</summary>
    public double V { get; private set; }

    /// <summary>Restarts at the first chunk of the source's current series.</summary>
    public void Reset()
    {
        _nextChunk = 0;
        _inChunk = false;
        _any = false;
    }

    /// <summary>Moves to the next sample; false after the last one.</summary>
    /// <exception cref="BlockMergeSourceException">A chunk is damaged or disagrees with its meta.</exception>
    public bool Next()
    {
        while (true)
        {
            if (_inChunk && _xor.Next())
            {
                long t = _xor.T;
                if (t < _source.MinTime)
                {
                    continue;
                }

                if (t > _source.MaxTime)
                {
                    // Chunks are in time order: nothing later in this series is in range.
                    _inChunk = false;
                    _nextChunk = _source.Chunks.Count;
                    return false;
                }

                Accept(t, _xor.V);
                return true;
            }

            if (_inChunk && _xor.Error is { } error)
            {
                throw _source.Fail($"series {_source.Labels}: chunk [{_chunk.MinT}, {_chunk.MaxT}] ref {_chunk.Ref}: {error.Message}", error);
            }

            if (_nextChunk >= _source.Chunks.Count)
            {
                _inChunk = false;
                return false;
            }

            OpenChunk(_source.Chunks[_nextChunk++]);
        }
    }

    private void OpenChunk(ChunkMeta meta)
    {
        var chunk = _source.Chunk(meta);
        if (chunk.Data.IsEmpty)
        {
            // The head dropped it since its meta was read (never within a range being cut, which is closed to truncation).
            _inChunk = false;
            return;
        }

        if (chunk.Encoding != ChunkEncoding.Xor)
        {
            throw _source.Fail($"series {_source.Labels}: chunk ref {meta.Ref} has encoding {chunk.Encoding}; only XOR ({ChunkEncoding.Xor}) chunks can be merged");
        }

        // The chunk's own range: the head's open chunk may have grown past the meta read before it.
        _chunk = new ChunkMeta(chunk.MinT, chunk.MaxT, meta.Ref);
        _xor.Reset(chunk.Data);
        _inChunk = true;
    }

    private void Accept(long t, double v)
    {
        if (t < _chunk.MinT || t > _chunk.MaxT)
        {
            throw _source.Fail($"series {_source.Labels}: sample at {t} lies outside its chunk's meta range [{_chunk.MinT}, {_chunk.MaxT}]");
        }

        if (_any && t <= T)
        {
            throw _source.Fail($"series {_source.Labels}: sample at {t} does not follow {T} (chunks out of order or overlapping)");
        }

        _any = true;
        T = t;
        V = v;
    }
}
