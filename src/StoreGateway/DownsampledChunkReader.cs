using MetricsCluster.Core.Storage;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// Reads the samples a query wants from a downsampled block's aggregate chunks (<see cref="AggrChunk"/>): one
/// aggregate chosen by the enclosing function (<see cref="AggrSelection"/>), or for the average the sum and count
/// sub-chunks in lock step. Counter samples are kept as stored, first and last raw values included; the caller
/// removes resets once the series' samples of every block are merged (<see cref="ApplyCounterResets"/>). Reused per
/// query; not thread-safe.
/// </summary>
internal sealed class DownsampledChunkReader(string? func)
{
    private readonly XorIterator _a = new();
    private readonly XorIterator _b = new();

    /// <summary>The aggregate read, or null for sum / count.</summary>
    public AggrType? Aggregate { get; } = AggrSelection.For(func);

    /// <summary>Appends the wanted samples of <paramref name="chunk"/> within [mint, maxt] to <paramref name="into"/>.</summary>
    /// <exception cref="InvalidDataException">The chunk is malformed or its sub-chunks disagree.</exception>
    public void Read(ReadOnlyMemory<byte> chunk, long mint, long maxt, List<Sample> into)
    {
        if (Aggregate is { } single)
        {
            if (AggrChunk.TryGet(chunk, single, out var data))
            {
                _a.Reset(data);
                while (_a.Next())
                {
                    Add(_a.T, _a.V);
                }
            }

            Check(_a);
            return;
        }

        // Thanos' AverageChunkIterator: every window's sum divided by its count.
        if (!AggrChunk.TryGet(chunk, AggrType.Sum, out var sum) || !AggrChunk.TryGet(chunk, AggrType.Count, out var count))
        {
            return;
        }

        _a.Reset(sum);
        _b.Reset(count);
        while (_a.Next())
        {
            if (!_b.Next() || _b.T != _a.T)
            {
                throw new InvalidDataException("aggregate chunk: the sum and count sub-chunks are not aligned");
            }

            Add(_a.T, _a.V / _b.V);
        }

        Check(_a);
        Check(_b);

        void Add(long t, double v)
        {
            if (t >= mint && t <= maxt)
            {
                into.Add(new Sample(t, v));
            }
        }
    }

    /// <summary>
    /// A series' merged counter samples (sorted by time, stable) with resets removed (Thanos'
    /// <c>ApplyCounterResetsSeriesIterator</c>): a chunk's trailing last-raw sample shares its timestamp and only
    /// feeds the comparison with the next chunk. Raw samples of raw blocks merged in go through the same rule.
    /// </summary>
    public static Sample[] ApplyCounterResets(IEnumerable<Sample> sortedByTime)
    {
        var resets = default(CounterResets);
        var result = new List<Sample>();
        foreach (var s in sortedByTime)
        {
            if (resets.Add(s.T, s.V, out long t, out double v))
            {
                result.Add(new Sample(t, v));
            }
        }

        return [.. result];
    }

    private static void Check(XorIterator it)
    {
        if (it.Error is { } e)
        {
            throw new InvalidDataException($"aggregate sub-chunk does not decode: {e.Message}", e);
        }
    }
}
