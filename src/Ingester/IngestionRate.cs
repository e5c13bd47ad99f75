namespace MetricsCluster.Ingester;

/// <summary>
/// Samples per second of one tenant, exponentially weighted over the last minute (Mimir's ingester ingestion rate).
/// Updated when read rather than by a ticker: the weight of the newest interval is 1 - e^(-elapsed/1m), so the
/// average forgets at the same pace however irregularly it is read. Thread-safe.
/// </summary>
internal sealed class IngestionRate
{
    /// <summary>Intervals shorter than this are not folded in yet: their rate would be mostly noise.</summary>
    private static readonly TimeSpan s_minInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private long _total;
    private long _folded;
    private long _lastTimestamp;
    private double _rate;
    private bool _seeded;

    /// <summary>Creates the rate; <paramref name="startTimestamp"/> is a <see cref="TimeProvider.GetTimestamp"/> value.</summary>
    internal IngestionRate(long startTimestamp)
    {
        _lastTimestamp = startTimestamp;
    }

    /// <summary>Counts appended samples (hot path: one interlocked add).</summary>
    internal void Add(int samples) => Interlocked.Add(ref _total, samples);

    /// <summary>The current rate and the total since start.</summary>
    internal (double PerSecond, long Total) Read(TimeProvider time)
    {
        long total = Interlocked.Read(ref _total);
        lock (_lock)
        {
            long now = time.GetTimestamp();
            var elapsed = time.GetElapsedTime(_lastTimestamp, now);
            if (elapsed >= s_minInterval)
            {
                double instant = (total - _folded) / elapsed.TotalSeconds;

                // The first interval seeds the average; starting from zero would under-report for a minute.
                _rate = _seeded ? _rate + ((1 - Math.Exp(-elapsed / s_window)) * (instant - _rate)) : instant;
                _seeded = true;
                _folded = total;
                _lastTimestamp = now;
            }

            return (_rate, total);
        }
    }
}
