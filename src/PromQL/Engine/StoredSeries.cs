using MetricsCluster.Core;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.PromQL.Engine;

/// <summary>
/// A selected series as the engine holds it between the fetch and the evaluation: either decoded (parallel timestamp
/// and value arrays) or, for a series that owns its data (<see cref="IDetachedSeries"/>: chunk bytes), the series
/// itself, decoded by <see cref="Load"/> each time evaluation reaches it. Evaluation walks one series at a time, so
/// only that series' samples are decoded at once (Prometheus iterates chunks for the same reason).
/// </summary>
internal sealed class StoredSeries
{
    private readonly IDetachedSeries? _source;
    private readonly long _min;
    private readonly long _max;
    private readonly long[]? _t;
    private readonly double[]? _v;

    /// <summary>A decoded series.</summary>
    /// <param name="labels">The series labels.</param>
    /// <param name="t">Timestamps (ms), ascending.</param>
    /// <param name="v">Values (stale markers included).</param>
    public StoredSeries(Labels labels, long[] t, double[] v)
    {
        Labels = labels;
        _t = t;
        _v = v;
    }

    /// <summary>A series decoded on demand: its samples in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public StoredSeries(IDetachedSeries source, long min, long max)
    {
        Labels = source.Labels;
        _source = source;
        _min = min;
        _max = max;
    }

    /// <summary>The series labels.</summary>
    public Labels Labels { get; }

    /// <summary>Samples held decoded (0 for a series decoded on demand).</summary>
    public int DecodedCount => _t?.Length ?? 0;

    /// <summary>Whether <see cref="Load"/> decodes (and so the samples count as loaded then).</summary>
    public bool DecodesOnLoad => _source is not null;

    /// <summary>
    /// The samples: the arrays of a decoded series, or the series decoded into <paramref name="buffer"/>, valid until
    /// the buffer's next use (<paramref name="reuse"/> carries an iterator from one call to the next).
    /// </summary>
    public SeriesSamples Load(SampleBuffer buffer, ref SampleIterator? reuse)
    {
        if (_source is null)
        {
            return new SeriesSamples(_t, _v);
        }

        Decode(_source, _min, _max, buffer, ref reuse);
        return buffer.Samples;
    }

    /// <summary>
    /// Decodes the samples of <paramref name="series"/> in [<paramref name="min"/>, <paramref name="max"/>] into
    /// <paramref name="buffer"/> (emptied first); an iterator's decoding or I/O error is thrown.
    /// </summary>
    public static void Decode(ISeries series, long min, long max, SampleBuffer buffer, ref SampleIterator? reuse)
    {
        buffer.Clear();
        var it = series.Iterator(reuse);
        reuse = it;
        if (it.Seek(min))
        {
            do
            {
                if (it.T > max)
                {
                    break;
                }

                buffer.Add(it.T, it.V);
            }
            while (it.Next());
        }

        if (it.Error is { } err)
        {
            throw err;
        }
    }
}

/// <summary>One series' samples as parallel spans.</summary>
internal readonly ref struct SeriesSamples(ReadOnlySpan<long> t, ReadOnlySpan<double> v)
{
    /// <summary>Timestamps (ms), ascending.</summary>
    public ReadOnlySpan<long> T { get; } = t;

    /// <summary>Values (stale markers included).</summary>
    public ReadOnlySpan<double> V { get; } = v;
}

/// <summary>A growable pair of arrays one series at a time is decoded into, kept across series.</summary>
internal sealed class SampleBuffer
{
    private long[] _t = new long[256];
    private double[] _v = new double[256];
    private int _count;

    /// <summary>What was added since the last <see cref="Clear"/>.</summary>
    public SeriesSamples Samples => new(_t.AsSpan(0, _count), _v.AsSpan(0, _count));

    /// <summary>Empties the buffer, keeping its arrays.</summary>
    public void Clear() => _count = 0;

    /// <summary>Appends a sample.</summary>
    public void Add(long t, double v)
    {
        if (_count == _t.Length)
        {
            Array.Resize(ref _t, _count * 2);
            Array.Resize(ref _v, _count * 2);
        }

        _t[_count] = t;
        _v[_count] = v;
        _count++;
    }
}
