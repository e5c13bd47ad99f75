using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// A block series limited to [mint, maxt]: its chunks are read from the segments and decoded lazily, one at a
/// time, when iterated. Only XOR chunks are supported; any other encoding stops the iterator with an
/// <see cref="SampleIterator.Error"/>.
/// </summary>
public sealed class BlockSeries : ISeries
{
    private readonly IReadOnlyList<ChunkMeta> _chunks;
    private readonly ChunkSegmentReader _reader;
    private readonly long _mint;
    private readonly long _maxt;

    /// <summary>Creates the series.</summary>
    /// <param name="labels">The label set.</param>
    /// <param name="chunks">Chunk metas in time order, at least overlapping the range.</param>
    /// <param name="reader">Where the chunks live.</param>
    /// <param name="mint">Range start (ms, inclusive).</param>
    /// <param name="maxt">Range end (ms, inclusive).</param>
    public BlockSeries(Labels labels, IReadOnlyList<ChunkMeta> chunks, ChunkSegmentReader reader, long mint, long maxt)
    {
        Labels = labels;
        _chunks = chunks;
        _reader = reader;
        _mint = mint;
        _maxt = maxt;
    }

    /// <inheritdoc/>
    public Labels Labels { get; }

    /// <summary>The chunk metas this series iterates.</summary>
    public IReadOnlyList<ChunkMeta> Chunks => _chunks;

    /// <inheritdoc/>
    public SampleIterator Iterator(SampleIterator? reuse)
    {
        var it = reuse as Enumerator ?? new Enumerator();
        it.Reset(this);
        return it;
    }

    /// <summary>Walks the chunks in order and trims samples to the range. None of its methods are thread-safe.</summary>
    private sealed class Enumerator : SampleIterator
    {
        private readonly XorIterator _xor = new();
        private BlockSeries? _series;
        private int _next;
        private bool _inChunk;
        private long _t;
        private double _v;
        private Exception? _error;

        public override long T => _t;

        public override double V => _v;

        public override Exception? Error => _error;

        public void Reset(BlockSeries series)
        {
            _series = series;
            _next = 0;
            _inChunk = false;
            _t = long.MinValue;
            _v = 0;
            _error = null;
        }

        public override bool Next()
        {
            var s = _series;
            if (s is null || _error is not null)
            {
                return false;
            }

            while (true)
            {
                if (!_inChunk && !OpenNextChunk(s))
                {
                    return false;
                }

                if (!_xor.Next())
                {
                    _inChunk = false;
                    if (_xor.Error is { } e)
                    {
                        _error = e;
                        return false;
                    }

                    continue;
                }

                long t = _xor.T;
                if (t < s._mint || t <= _t)
                {
                    continue;
                }

                if (t > s._maxt)
                {
                    // Chunks are in time order, so nothing later can be in range.
                    _next = s._chunks.Count;
                    _inChunk = false;
                    return false;
                }

                _t = t;
                _v = _xor.V;
                return true;
            }
        }

        private bool OpenNextChunk(BlockSeries s)
        {
            while (_next < s._chunks.Count)
            {
                var meta = s._chunks[_next++];
                if (!meta.Overlaps(s._mint, s._maxt))
                {
                    continue;
                }

                try
                {
                    var (encoding, data) = s._reader.Chunk(meta.Ref);
                    if (encoding != ChunkEncoding.Xor)
                    {
                        _error = new NotSupportedException($"chunk 0x{meta.Ref:x} has encoding {encoding}; only XOR ({ChunkEncoding.Xor}) is supported by the block reader.");
                        return false;
                    }

                    _xor.Reset(data);
                }
                catch (BlockCorruptionException e)
                {
                    _error = e;
                    return false;
                }

                _inChunk = true;
                return true;
            }

            return false;
        }
    }
}
