using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.Tsdb.Chunks;

/// <summary>
/// A series backed by encoded XOR chunks, iterated lazily and limited to [mint, maxt]. Chunks may overlap in time —
/// the replicas of one series from several ingesters, each with its own gaps — and then their samples are merged by
/// timestamp, each timestamp returned once; chunks that follow one another are simply chained. Its chunks must be
/// owned bytes (a copy out of the head or a block, or what arrived over the wire, never a memory-mapped block's
/// bytes): the engine keeps the series past the select and decodes it later (<see cref="IDetachedSeries"/>).
/// </summary>
public sealed class EncodedChunkSeries : IDetachedSeries, IFetchedChunks
{
    private readonly IReadOnlyList<EncodedChunk> _chunks;
    private readonly long _mint;
    private readonly long _maxt;

    /// <summary>Creates the series.</summary>
    public EncodedChunkSeries(Labels labels, IReadOnlyList<EncodedChunk> chunks, long mint, long maxt)
    {
        Labels = labels;
        _chunks = chunks;
        _mint = mint;
        _maxt = maxt;
    }

    /// <inheritdoc/>
    public Labels Labels { get; }

    /// <inheritdoc/>
    public int FetchedChunks => _chunks.Count;

    /// <inheritdoc/>
    public long FetchedChunkBytes
    {
        get
        {
            long bytes = 0;
            for (int i = 0; i < _chunks.Count; i++)
            {
                bytes += _chunks[i].Data.Length;
            }

            return bytes;
        }
    }

    /// <inheritdoc/>
    public SampleIterator Iterator(SampleIterator? reuse)
    {
        if (Overlapping(_chunks, _mint, _maxt))
        {
            var merging = reuse as MergingChunksIterator ?? new MergingChunksIterator();
            merging.Reset(_chunks, _mint, _maxt);
            return merging;
        }

        var it = reuse as ChunksIterator ?? new ChunksIterator();
        it.Reset(_chunks, _mint, _maxt);
        return it;
    }

    /// <summary>The error for a chunk this reader cannot decode (only XOR float chunks exist here so far).</summary>
    internal static NotSupportedException UnsupportedEncoding(byte encoding) =>
        new($"chunk encoding {encoding} is not supported (only XOR)");

    /// <summary>Whether a chunk in range starts at or before the end of an earlier one (or the chunks are out of order).</summary>
    private static bool Overlapping(IReadOnlyList<EncodedChunk> chunks, long mint, long maxt)
    {
        long end = long.MinValue;
        for (int i = 0; i < chunks.Count; i++)
        {
            var c = chunks[i];
            if (c.MaxTime < mint || c.MinTime > maxt)
            {
                continue;
            }

            if (c.MinTime <= end)
            {
                return true;
            }

            end = c.MaxTime;
        }

        return false;
    }

    /// <summary>Chains the chunk iterators of chunks that do not overlap (the fast path); skips samples at or before the previous one.</summary>
    private sealed class ChunksIterator : SampleIterator
    {
        private readonly XorIterator _xor = new();
        private IReadOnlyList<EncodedChunk> _chunks = [];
        private int _next;
        private long _mint;
        private long _maxt;
        private long _t;
        private double _v;
        private bool _inChunk;
        private Exception? _error;

        public override long T => _t;

        public override double V => _v;

        public override Exception? Error => _error;

        public void Reset(IReadOnlyList<EncodedChunk> chunks, long mint, long maxt)
        {
            _chunks = chunks;
            _next = 0;
            _mint = mint;
            _maxt = maxt;
            _t = long.MinValue;
            _inChunk = false;
            _error = null;
        }

        public override bool Next()
        {
            while (true)
            {
                if (!_inChunk)
                {
                    if (_next >= _chunks.Count)
                    {
                        return false;
                    }

                    var c = _chunks[_next++];
                    if (c.MaxTime < _mint || c.MinTime > _maxt || c.MaxTime <= _t)
                    {
                        continue;
                    }

                    if (c.Encoding != ChunkEncoding.Xor)
                    {
                        _error = UnsupportedEncoding(c.Encoding);
                        return false;
                    }

                    _xor.Reset(c.Data);
                    _inChunk = true;
                }

                if (!_xor.Next())
                {
                    if (_xor.Error is { } e)
                    {
                        _error = e;
                        return false;
                    }

                    _inChunk = false;
                    continue;
                }

                long t = _xor.T;
                if (t < _mint || t <= _t)
                {
                    continue;
                }

                if (t > _maxt)
                {
                    _next = _chunks.Count;
                    _inChunk = false;
                    return false;
                }

                _t = t;
                _v = _xor.V;
                return true;
            }
        }
    }
}
