using MetricsCluster.Core;
using MetricsCluster.Tsdb.Head;

namespace MetricsCluster.Tsdb.Tests.Head;

/// <summary>Records what <see cref="Tsdb.Head.Head.Append"/> reports: the accepted count and every rejection in order.</summary>
internal sealed class TestSink : IAppendSink
{
    /// <summary>Samples accepted so far (over every append it was passed to).</summary>
    public int Accepted { get; private set; }

    /// <summary>Rejections in the order reported.</summary>
    public List<Rejection> Rejections { get; } = [];

    /// <summary>The first rejection, if any.</summary>
    public Rejection? FirstError => Rejections.Count == 0 ? null : Rejections[0];

    void IAppendSink.Accepted(int samples) => Accepted += samples;

    public void SampleRejected(AppendError error, long timestamp, in Labels series) =>
        Rejections.Add(new Rejection(error, timestamp, series.ToString(), 1, 0));

    public void SeriesRejected(AppendError error, ReadOnlySpan<byte> labels, int samples, long limit) =>
        Rejections.Add(new Rejection(error, 0, LabelsEncoding.Format(labels), samples, limit));

    /// <summary>One rejection.</summary>
    internal sealed record Rejection(AppendError Error, long Timestamp, string Series, int Samples, long Limit);
}
