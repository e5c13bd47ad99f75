namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>A byte position in the queue: a segment number and an offset inside it.</summary>
/// <param name="Segment">The segment number (its file name).</param>
/// <param name="Offset">The offset in bytes from the start of the segment file.</param>
public readonly record struct QueuePosition(int Segment, long Offset) : IComparable<QueuePosition>
{
    /// <inheritdoc/>
    public int CompareTo(QueuePosition other) =>
        Segment != other.Segment ? Segment.CompareTo(other.Segment) : Offset.CompareTo(other.Offset);

    /// <summary>Whether <paramref name="a"/> is before <paramref name="b"/>.</summary>
    public static bool operator <(QueuePosition a, QueuePosition b) => a.CompareTo(b) < 0;

    /// <summary>Whether <paramref name="a"/> is after <paramref name="b"/>.</summary>
    public static bool operator >(QueuePosition a, QueuePosition b) => a.CompareTo(b) > 0;

    /// <summary>Whether <paramref name="a"/> is not after <paramref name="b"/>.</summary>
    public static bool operator <=(QueuePosition a, QueuePosition b) => a.CompareTo(b) <= 0;

    /// <summary>Whether <paramref name="a"/> is not before <paramref name="b"/>.</summary>
    public static bool operator >=(QueuePosition a, QueuePosition b) => a.CompareTo(b) >= 0;

    /// <inheritdoc/>
    public override string ToString() => $"segment {QueueFormat.SegmentName(Segment)} offset {Offset}";
}
