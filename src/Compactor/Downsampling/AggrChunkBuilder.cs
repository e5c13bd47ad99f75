using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Compactor.Downsampling;

/// <summary>
/// Collects one aggregate chunk: a window per appended row in the count, sum, min and max sub-chunks, and the counter
/// sub-chunk's samples (first raw value, one per window, last raw value). Reused per chunk; not thread-safe.
/// </summary>
internal sealed class AggrChunkBuilder
{
    private readonly XorChunk?[] _parts = new XorChunk?[AggrChunk.AggrCount];

    /// <summary>Windows appended to the count, sum, min and max sub-chunks.</summary>
    public int Windows { get; private set; }

    /// <summary>Whether anything was appended since the last <see cref="Reset"/>.</summary>
    public bool IsEmpty => MinT == long.MaxValue;

    /// <summary>Earliest timestamp appended to any sub-chunk.</summary>
    public long MinT { get; private set; } = long.MaxValue;

    /// <summary>Latest timestamp appended to any sub-chunk.</summary>
    public long MaxT { get; private set; } = long.MinValue;

    /// <summary>Whether the counter sub-chunk holds its first raw value yet.</summary>
    public bool HasCounter => _parts[(int)AggrType.Counter] is { NumSamples: > 0 };

    /// <summary>Appends one window's statistics at <paramref name="t"/>.</summary>
    public void AddWindow(long t, double count, double sum, double min, double max)
    {
        Append(AggrType.Count, t, count);
        Append(AggrType.Sum, t, sum);
        Append(AggrType.Min, t, min);
        Append(AggrType.Max, t, max);
        Windows++;
    }

    /// <summary>Appends a counter sample; equal timestamps are allowed (Thanos stores the last raw value so).</summary>
    public void AddCounter(long t, double v) => Append(AggrType.Counter, t, v);

    /// <summary>The encoded chunk (Thanos' layout, <see cref="AggrChunk.Encode"/>).</summary>
    public byte[] Encode() => AggrChunk.Encode(_parts);

    /// <summary>Empties the builder for the next chunk.</summary>
    public void Reset()
    {
        Array.Clear(_parts);
        Windows = 0;
        MinT = long.MaxValue;
        MaxT = long.MinValue;
    }

    private void Append(AggrType type, long t, double v)
    {
        // 120 windows take well under 2 bytes per value; start small and let the chunk grow.
        (_parts[(int)type] ??= new XorChunk(64)).Append(t, v);
        MinT = Math.Min(MinT, t);
        MaxT = Math.Max(MaxT, t);
    }
}
