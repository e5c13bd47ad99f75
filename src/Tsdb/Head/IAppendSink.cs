using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// Receives the outcome of one <see cref="Head.Append"/>: rejections as they are found, in batch order, and the accepted
/// count once at the end. Rejections are the rare path, so a call each costs nothing on the accepted samples' loop.
/// </summary>
public interface IAppendSink
{
    /// <summary>Samples written (identical duplicates included, as Prometheus accepts them silently); called once per batch.</summary>
    void Accepted(int samples);

    /// <summary>One sample of <paramref name="series"/> at <paramref name="timestamp"/> was rejected for <paramref name="error"/>.</summary>
    void SampleRejected(AppendError error, long timestamp, in Labels series);

    /// <summary>
    /// A new series (<paramref name="labels"/>, encoded as <see cref="Labels.Bytes"/>; valid only during the call) was
    /// rejected with its <paramref name="samples"/> samples because the head holds <paramref name="limit"/> series.
    /// </summary>
    void SeriesRejected(AppendError error, ReadOnlySpan<byte> labels, int samples, long limit);
}
