namespace MetricsCluster.Compactor.Downsampling;

/// <summary>
/// The running aggregates of one open window (Thanos' <c>aggregator</c>): count, sum, min and max of the values fed,
/// and the counter with resets removed, which unlike the others carries on across the windows of one chunk. A
/// mutable struct owned by one <see cref="SeriesDownsampler"/>; not thread-safe.
/// </summary>
internal struct WindowAggregate
{
    private bool _anyCounter;
    private double _lastCounterInput;

    /// <summary>Whether a window is open.</summary>
    public bool Open;

    /// <summary>The open window's end (inclusive, ms), before the cap at a chunk's last sample.</summary>
    public long End;

    /// <summary>Raw samples in the window (for aggregate input: the sum of their counts).</summary>
    public double Count;

    /// <summary>Sum of the values in the window.</summary>
    public double Sum;

    /// <summary>Smallest value in the window.</summary>
    public double Min;

    /// <summary>Largest value in the window.</summary>
    public double Max;

    /// <summary>The counter since the chunk's first value, resets removed (Thanos: the first value sets it).</summary>
    public double Counter;

    /// <summary>Opens the window ending at <paramref name="end"/>; the counter state is kept.</summary>
    public void OpenWindow(long end)
    {
        Open = true;
        End = end;
        Count = 0;
        Sum = 0;
        Min = double.MaxValue;
        Max = -double.MaxValue;
    }

    /// <summary>Adds a window's worth of statistics (one raw sample is count 1 and sum = min = max = value).</summary>
    public void AddStats(double count, double sum, double min, double max)
    {
        Count += count;
        Sum += sum;
        Min = Math.Min(Min, min);
        Max = Math.Max(Max, max);
    }

    /// <summary>Adds a counter value: a drop is a reset and adds the whole value, otherwise the increase is added.</summary>
    public void AddCounter(double v)
    {
        if (!_anyCounter)
        {
            _anyCounter = true;
            Counter = v;
        }
        else
        {
            Counter += v < _lastCounterInput ? v : v - _lastCounterInput;
        }

        _lastCounterInput = v;
    }

    /// <summary>Starts a new chunk: no window open, and the counter starts again from the chunk's first value.</summary>
    public void ResetChunk()
    {
        Open = false;
        _anyCounter = false;
        Counter = 0;
    }
}
