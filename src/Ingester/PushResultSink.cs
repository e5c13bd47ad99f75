using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Head;

namespace MetricsCluster.Ingester;

/// <summary>
/// Turns the head's storage sentinels (<see cref="AppendError"/>) into the push protocol: error ids and the user
/// messages Mimir sends (G17). One per push; the messages are built only for the first rejection
/// (<see cref="PushResult.Reject"/> calls its message factory once).
/// </summary>
internal sealed class PushResultSink(PushResult result) : IAppendSink
{
    /// <inheritdoc/>
    public void Accepted(int samples) => result.Accepted += samples;

    /// <inheritdoc/>
    public void SampleRejected(AppendError error, long timestamp, in Labels series)
    {
        string id = Id(error);
        var labels = series;
        result.Reject(id, 1, () => SampleMessage(id, timestamp, labels));
    }

    /// <inheritdoc/>
    public void SeriesRejected(AppendError error, ReadOnlySpan<byte> labels, int samples, long limit)
    {
        string text = LabelsEncoding.Format(labels);
        result.Reject(Id(error), samples, () => SeriesLimitMessage(limit, text), isLimit: true);
    }

    /// <summary>The error id the ingester reports for <paramref name="error"/>.</summary>
    internal static string Id(AppendError error) => error switch
    {
        AppendError.OutOfOrderSample => ErrorId.SampleOutOfOrder,
        AppendError.DuplicateSampleForTimestamp => ErrorId.SampleDuplicateTimestamp,
        AppendError.TooOldSample => ErrorId.SampleTimestampTooOld,
        AppendError.SeriesLimit => ErrorId.MaxSeriesPerUser,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "not a head append error"),
    };

    private static string SampleMessage(string id, long t, Labels labels)
    {
        string what = id switch
        {
            ErrorId.SampleOutOfOrder => "another sample with a more recent timestamp has already been ingested and out-of-order samples are not allowed",
            ErrorId.SampleDuplicateTimestamp => "another sample with the same timestamp, but a different value, has already been ingested",
            _ => "its timestamp is too old",
        };
        // ModelTime formats every long; the sender picks t, so a formatter that throws would fail the whole request.
        return $"the sample has been rejected because {what} {ErrorId.Tag(id)}. The affected sample has timestamp {ModelTime.FormatRfc3339(t)} and is from series {labels}";
    }

    private static string SeriesLimitMessage(long limit, string labels) =>
        $"per-user series limit of {limit} exceeded, series: '{labels}' {ErrorId.Tag(ErrorId.MaxSeriesPerUser)}" +
        ErrorId.AdjustLimit("ingester.max-global-series-per-user");
}
