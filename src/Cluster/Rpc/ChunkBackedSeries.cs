using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Storage;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>
/// A series received over RPC: its XOR chunks are decoded only when iterated, limited to [mint, maxt]. Samples at or
/// before the previous one are skipped, so overlapping chunks never yield a timestamp twice.
/// </summary>
internal sealed class ChunkBackedSeries : ISeries
{
    private readonly IReadOnlyList<EncodedChunk> _chunks;
    private readonly long _mint;
    private readonly long _maxt;

    /// <summary>Creates the series.</summary>
    public ChunkBackedSeries(Labels labels, IReadOnlyList<EncodedChunk> chunks, long mint, long maxt)
    {
        Labels = labels;
        _chunks = chunks;
        _mint = mint;
        _maxt = maxt;
    }

    /// <inheritdoc/>
    public Labels Labels { get; }

    /// <inheritdoc/>
    public SampleIterator Iterator(SampleIterator? reuse)
    {
        var it = reuse as Iter ?? new Iter();
        it.Reset(_chunks, _mint, _maxt);
        return it;
    }

    private sealed class Iter : SampleIterator
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
            (_chunks, _next, _mint, _maxt, _t, _inChunk, _error) = (chunks, 0, mint, maxt, long.MinValue, false, null);
        }

        public override bool Next()
        {
            while (true)
            {
                if (!_inChunk && !OpenNextChunk())
                {
                    return false;
                }

                if (!_xor.Next())
                {
                    _error = _xor.Error;
                    _inChunk = false;
                    if (_error is not null)
                    {
                        return false;
                    }

                    continue;
                }

                long t = _xor.T;
                if (t < _mint || t <= _t)
                {
                    continue;
                }

                if (t > _maxt)
                {
                    // Chunks are in time order: nothing later can be in range.
                    _next = _chunks.Count;
                    _inChunk = false;
                    return false;
                }

                (_t, _v) = (t, _xor.V);
                return true;
            }
        }

        private bool OpenNextChunk()
        {
            while (_next < _chunks.Count)
            {
                var c = _chunks[_next++];
                if (c.MaxTime < _mint || c.MinTime > _maxt || c.MaxTime <= _t)
                {
                    continue;
                }

                if (c.Encoding != ChunkEncoding.Xor)
                {
                    _error = new NotSupportedException($"chunk encoding {c.Encoding} is not supported (only XOR)");
                    return false;
                }

                _xor.Reset(c.Data);
                _inChunk = true;
                return true;
            }

            return false;
        }
    }
}
