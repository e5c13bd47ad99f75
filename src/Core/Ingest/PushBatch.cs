namespace MetricsCluster.Core.Ingest;

/// <summary>
/// A batch of series and samples on its way from the distributor to an ingester. Label sets are kept
/// in their canonical encoding (<see cref="LabelsEncoding"/>) in one shared array with their hash, so
/// the head can find an existing series without allocating (G13). Arrays are pooled and returned by
/// <see cref="Dispose"/>; the owner is whoever created the batch, and an ingester must copy what it
/// keeps (G11). Not thread-safe.
/// </summary>
public sealed class PushBatch : IDisposable
{
    private byte[] _labels;
    private SeriesEntry[] _series;
    private long[] _ts;
    private double[] _vs;
    private int _labelsLength;

    /// <summary>Creates an empty batch with small arrays.</summary>
    public PushBatch()
        : this(0)
    {
    }

    /// <summary>
    /// Creates a batch sized for a remote-write body of <paramref name="encodedBytes"/> decoded bytes, so a
    /// push of up to <see cref="PresizeLimit"/> bytes never regrows its arrays: canonical labels are no longer
    /// than their protobuf form, and a series (≥ 16 bytes) and a sample (≥ 11 bytes) each take at least that
    /// much of the body.
    /// </summary>
    public PushBatch(int encodedBytes)
    {
        // These worst-case ratios reserve about four times the body; for a 100 MiB body that was 400 MB before a
        // single sample was read. Above the limit the arrays grow (doubling) to what the body really holds.
        int sized = Math.Min(encodedBytes, PresizeLimit);
        _labels = BoundedArrayPool.Rent<byte>(Math.Max(sized, 4096));
        _series = BoundedArrayPool.Rent<SeriesEntry>(Math.Max(sized / 16, 64));
        _ts = BoundedArrayPool.Rent<long>(Math.Max(sized / 11, 256));
        _vs = BoundedArrayPool.Rent<double>(_ts.Length);
    }

    /// <summary>Largest body, in decoded bytes, that <see cref="PushBatch(int)"/> sizes its arrays for up front.</summary>
    public static int PresizeLimit => 1 << 20;

    /// <summary>Number of series.</summary>
    public int SeriesCount { get; private set; }

    /// <summary>Total number of samples.</summary>
    public int SampleCount { get; private set; }

    /// <summary>Metric metadata carried with the request.</summary>
    public List<MetricMetadata> Metadata { get; } = [];

    /// <summary>The series entries.</summary>
    public ReadOnlySpan<SeriesEntry> Series => _series.AsSpan(0, SeriesCount);

    /// <summary>All timestamps, indexed by <see cref="SeriesEntry.FirstSample"/>.</summary>
    public ReadOnlySpan<long> Timestamps => _ts.AsSpan(0, SampleCount);

    /// <summary>All values, parallel to <see cref="Timestamps"/>.</summary>
    public ReadOnlySpan<double> Values => _vs.AsSpan(0, SampleCount);

    /// <summary>The canonical label encoding of series <paramref name="i"/>.</summary>
    public ReadOnlySpan<byte> LabelsOf(int i)
    {
        ref readonly var s = ref _series[i];
        return _labels.AsSpan(s.LabelsOffset, s.LabelsLength);
    }

    /// <summary>Starts a series with an already-encoded, sorted, validated label set.</summary>
    public void AddSeries(ReadOnlySpan<byte> encodedLabels, ulong hash)
    {
        EnsureLabels(encodedLabels.Length);
        encodedLabels.CopyTo(_labels.AsSpan(_labelsLength));
        if (SeriesCount == _series.Length)
        {
            Grow(ref _series, SeriesCount + 1);
        }

        _series[SeriesCount++] = new SeriesEntry(_labelsLength, encodedLabels.Length, hash, SampleCount, 0);
        _labelsLength += encodedLabels.Length;
    }

    /// <summary>Appends a sample to the last series added.</summary>
    public void AddSample(long t, double v)
    {
        if (SampleCount == _ts.Length)
        {
            Grow(ref _ts, SampleCount + 1);
            Grow(ref _vs, SampleCount + 1);
        }

        _ts[SampleCount] = t;
        _vs[SampleCount] = v;
        SampleCount++;
        _series[SeriesCount - 1].SampleCount++;
    }

    /// <summary>Drops the last series added (and its samples), e.g. when validation rejects it.</summary>
    public void RemoveLastSeries()
    {
        ref var s = ref _series[SeriesCount - 1];
        SampleCount = s.FirstSample;
        _labelsLength = s.LabelsOffset;
        SeriesCount--;
    }

    /// <summary>Empties the batch, keeping its arrays.</summary>
    public void Clear()
    {
        SeriesCount = 0;
        SampleCount = 0;
        _labelsLength = 0;
        Metadata.Clear();
    }

    /// <summary>Returns the pooled arrays.</summary>
    public void Dispose()
    {
        BoundedArrayPool.Return(_labels);
        BoundedArrayPool.Return(_series);
        BoundedArrayPool.Return(_ts);
        BoundedArrayPool.Return(_vs);
        _labels = [];
        _series = [];
        _ts = [];
        _vs = [];
        Clear();
    }

    private void EnsureLabels(int extra)
    {
        if (_labelsLength + extra > _labels.Length)
        {
            Grow(ref _labels, _labelsLength + extra);
        }
    }

    private static void Grow<T>(ref T[] arr, int needed)
    {
        var n = BoundedArrayPool.Rent<T>(Math.Max(needed, arr.Length * 2));
        arr.AsSpan().CopyTo(n);
        BoundedArrayPool.Return(arr);
        arr = n;
    }
}

/// <summary>One series in a <see cref="PushBatch"/>.</summary>
/// <param name="LabelsOffset">Offset of the label encoding in the batch's label array.</param>
/// <param name="LabelsLength">Length of the label encoding.</param>
/// <param name="Hash">xxHash64 of the label encoding.</param>
/// <param name="FirstSample">Index of the first sample.</param>
/// <param name="SampleCount">Number of samples.</param>
public record struct SeriesEntry(int LabelsOffset, int LabelsLength, ulong Hash, int FirstSample, int SampleCount);
