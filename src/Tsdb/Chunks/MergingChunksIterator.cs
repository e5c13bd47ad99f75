using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.Tsdb.Chunks;

/// <summary>
/// Iterates overlapping chunks of one series as one sample stream: a k-way merge by timestamp where a timestamp
/// present in several chunks (replicas) is returned once, from the chunk earliest in MinTime order. Chunks are opened
/// lazily in MinTime order — a chunk is opened only once the smallest pending timestamp reaches its MinTime — so a
/// series with many chunks keeps only the overlapping ones open, and a heap keeps each step O(log open chunks).
/// None of its methods are thread-safe.
/// </summary>
internal sealed class MergingChunksIterator : SampleIterator
{
    private readonly List<XorIterator> _pool = [];
    private readonly PriorityQueue<int, (long T, int Order)> _heap = new();
    private EncodedChunk[] _chunks = [];
    private int _nextChunk;
    private long _mint;
    private long _maxt;
    private long _t;
    private double _v;
    private Exception? _error;

    public override long T => _t;

    public override double V => _v;

    public override Exception? Error => _error;

    public void Reset(IReadOnlyList<EncodedChunk> chunks, long mint, long maxt)
    {
        // Stable, so among chunks with equal MinTime the caller's order decides which replica's value wins.
        _chunks = [.. chunks.Where(c => c.MaxTime >= mint && c.MinTime <= maxt).OrderBy(static c => c.MinTime)];
        while (_pool.Count < _chunks.Length)
        {
            _pool.Add(new XorIterator());
        }

        _heap.Clear();
        _nextChunk = 0;
        _mint = mint;
        _maxt = maxt;
        _t = long.MinValue;
        _error = null;
    }

    public override bool Next()
    {
        while (true)
        {
            // Every unopened chunk starts after the smallest pending timestamp, so that one is the global minimum.
            while (_nextChunk < _chunks.Length && (!_heap.TryPeek(out _, out var min) || _chunks[_nextChunk].MinTime <= min.T))
            {
                if (!Open(_nextChunk++))
                {
                    return false;
                }
            }

            if (!_heap.TryDequeue(out int i, out var top))
            {
                return false;
            }

            if (top.T > _maxt)
            {
                // Everything still pending is later still.
                _heap.Clear();
                _nextChunk = _chunks.Length;
                return false;
            }

            double v = _pool[i].V;
            if (!Advance(i))
            {
                return false;
            }

            if (top.T <= _t)
            {
                continue;
            }

            _t = top.T;
            _v = v;
            return true;
        }
    }

    /// <summary>Positions chunk <paramref name="i"/> at its first sample in range and queues it; false on a decoding error.</summary>
    private bool Open(int i)
    {
        if (_chunks[i].Encoding != ChunkEncoding.Xor)
        {
            _error = EncodedChunkSeries.UnsupportedEncoding(_chunks[i].Encoding);
            return false;
        }

        var it = _pool[i];
        it.Reset(_chunks[i].Data);
        while (it.Next())
        {
            if (it.T >= _mint)
            {
                _heap.Enqueue(i, (it.T, i));
                return true;
            }
        }

        return Failed(it);
    }

    /// <summary>Moves chunk <paramref name="i"/> to its next sample and requeues it; false on a decoding error.</summary>
    private bool Advance(int i)
    {
        var it = _pool[i];
        if (it.Next())
        {
            _heap.Enqueue(i, (it.T, i));
            return true;
        }

        return Failed(it);
    }

    private bool Failed(XorIterator it)
    {
        if (it.Error is { } e)
        {
            _error = e;
            return false;
        }

        return true;
    }
}
