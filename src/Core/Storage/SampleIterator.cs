namespace MetricsCluster.Core.Storage;

/// <summary>
/// Iterates float samples in increasing timestamp order (G7). Mutable and reusable; none of its
/// methods are thread-safe. Values keep their NaN payloads (a stale marker stays a stale marker).
/// </summary>
public abstract class SampleIterator
{
    /// <summary>An iterator with no samples.</summary>
    public static SampleIterator Empty { get; } = new EmptyIterator();

    /// <summary>Timestamp (ms) of the current sample; valid after <see cref="Next"/> returned true.</summary>
    public abstract long T { get; }

    /// <summary>Value of the current sample.</summary>
    public abstract double V { get; }

    /// <summary>Set when iteration stopped because of a decoding or I/O error.</summary>
    public virtual Exception? Error => null;

    /// <summary>Advances; false at the end (or on error).</summary>
    public abstract bool Next();

    /// <summary>Advances to the first sample with timestamp ≥ <paramref name="t"/>; never moves backwards.</summary>
    public virtual bool Seek(long t)
    {
        while (Next())
        {
            if (T >= t)
            {
                return true;
            }
        }

        return false;
    }

    private sealed class EmptyIterator : SampleIterator
    {
        public override long T => 0;

        public override double V => 0;

        public override bool Next() => false;
    }
}

/// <summary>A float sample.</summary>
/// <param name="T">Timestamp in ms since the epoch.</param>
/// <param name="V">Value.</param>
public readonly record struct Sample(long T, double V);
