using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Head;
using Xunit;

namespace MetricsCluster.Ingester.Tests;

/// <summary>The head's storage sentinels become the ingester's error ids and user messages, unchanged from when the head wrote them.</summary>
public sealed class PushResultSinkTests
{
    [Theory]
    [InlineData(AppendError.OutOfOrderSample, 2000L, "the sample has been rejected because another sample with a more recent timestamp has already been ingested and out-of-order samples are not allowed (err-mc-sample-out-of-order). The affected sample has timestamp 1970-01-01T00:00:02Z and is from series {__name__=\"m\"}")]
    [InlineData(AppendError.DuplicateSampleForTimestamp, 3000L, "the sample has been rejected because another sample with the same timestamp, but a different value, has already been ingested (err-mc-sample-duplicate-timestamp). The affected sample has timestamp 1970-01-01T00:00:03Z and is from series {__name__=\"m\"}")]
    [InlineData(AppendError.TooOldSample, -62_135_596_800_001L, "the sample has been rejected because its timestamp is too old (err-mc-sample-timestamp-too-old). The affected sample has timestamp 0000-12-31T23:59:59.999Z and is from series {__name__=\"m\"}")]
    [InlineData(AppendError.TooOldSample, long.MinValue, "the sample has been rejected because its timestamp is too old (err-mc-sample-timestamp-too-old). The affected sample has timestamp -292275055-05-16T16:47:04.192Z and is from series {__name__=\"m\"}")]
    [InlineData(AppendError.OutOfOrderSample, long.MaxValue - 1, "the sample has been rejected because another sample with a more recent timestamp has already been ingested and out-of-order samples are not allowed (err-mc-sample-out-of-order). The affected sample has timestamp 292278994-08-17T07:12:55.806Z and is from series {__name__=\"m\"}")]
    public void A_rejected_sample_gets_the_id_and_message_of_its_sentinel(AppendError error, long t, string message)
    {
        var result = new PushResult();
        IAppendSink sink = new PushResultSink(result);

        sink.SampleRejected(error, t, Labels.FromStrings("__name__", "m"));
        sink.SampleRejected(AppendError.OutOfOrderSample, 1, Labels.FromStrings("__name__", "other"));
        sink.Accepted(3);

        Assert.Equal(new PushError(PushResultSink.Id(error), message, IsLimit: false), result.FirstError);
        Assert.Equal(3, result.Accepted);
        Assert.Equal(2, result.RejectedByReason.Values.Sum());
    }

    [Fact]
    public void A_series_over_the_limit_is_a_limit_error_naming_the_flag()
    {
        var result = new PushResult();
        IAppendSink sink = new PushResultSink(result);

        sink.SeriesRejected(AppendError.SeriesLimit, Labels.FromStrings("__name__", "c").Bytes, samples: 5, limit: 2);

        Assert.True(result.FirstError!.IsLimit);
        Assert.Equal(ErrorId.MaxSeriesPerUser, result.FirstError.Id);
        Assert.Equal(
            "per-user series limit of 2 exceeded, series: '{__name__=\"c\"}' (err-mc-max-series-per-user)" + ErrorId.AdjustLimit("ingester.max-global-series-per-user"),
            result.FirstError.Message);
        Assert.Equal(5, result.RejectedByReason[ErrorId.MaxSeriesPerUser]);
    }
}
