namespace MetricsCluster.Tsdb.Chunks;

/// <summary>
/// Turns a sequence of counter samples into a monotonic one with every reset removed (Thanos'
/// <c>ApplyCounterResetsSeriesIterator</c>, same semantics): a value below the previous one is a reset and adds its
/// whole value, otherwise the difference is added. Counter sub-chunks of an <see cref="AggrChunk"/> end with a
/// second sample at the last timestamp holding the last raw value: such an equal-timestamp sample is not emitted,
/// it only replaces the value the next sample is compared with, so a reset between two chunks is still seen.
/// Samples going back in time and NaNs (stale markers) are dropped. A mutable struct: copy it and you fork the state.
/// </summary>
public struct CounterResets
{
    private bool _any;
    private long _lastT;
    private double _lastV;
    private double _total;

    /// <summary>The raw value last seen: after a counter sub-chunk, its series' true last raw value.</summary>
    public readonly double LastRaw => _lastV;

    /// <summary>Feeds one sample; true when a sample <paramref name="outT"/>, <paramref name="outV"/> is emitted.</summary>
    /// <param name="t">Timestamp, ms; samples must come in time order (chunk after chunk).</param>
    /// <param name="v">The counter value as stored.</param>
    /// <param name="outT">The emitted timestamp.</param>
    /// <param name="outV">The emitted reset-free value.</param>
    public bool Add(long t, double v, out long outT, out double outV)
    {
        outT = t;
        outV = 0;
        if (double.IsNaN(v))
        {
            return false;
        }

        if (!_any)
        {
            _any = true;
            (_lastT, _lastV, _total) = (t, v, v);
            outV = v;
            return true;
        }

        if (t > _lastT)
        {
            _total += v >= _lastV ? v - _lastV : v;
            (_lastT, _lastV) = (t, v);
            outV = _total;
            return true;
        }

        if (t == _lastT)
        {
            _lastV = v;
        }

        return false;
    }
}
