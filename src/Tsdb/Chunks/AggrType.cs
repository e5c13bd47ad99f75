namespace MetricsCluster.Tsdb.Chunks;

/// <summary>
/// The aggregates of a downsampled window, in the order their sub-chunks are stored in an <see cref="AggrChunk"/>
/// (Thanos' <c>AggrType</c>; the values are part of the on-disk format).
/// </summary>
public enum AggrType
{
    /// <summary>Number of raw samples in the window.</summary>
    Count = 0,

    /// <summary>Sum of the raw values in the window.</summary>
    Sum = 1,

    /// <summary>Smallest raw value in the window.</summary>
    Min = 2,

    /// <summary>Largest raw value in the window.</summary>
    Max = 3,

    /// <summary>
    /// The counter with resets removed, at each window's end, plus the chunk's first and last raw values (see
    /// <see cref="CounterResets"/>), so rate and increase across chunks see every reset.
    /// </summary>
    Counter = 4,
}
