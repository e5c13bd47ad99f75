using MetricsCluster.Agent.RemoteWrite;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.RemoteWrite;

public sealed class AckTrackerTests
{
    private static readonly ScrapedSample s_sample = new(Labels.FromStrings("__name__", "m"), 1, 1);

    [Fact]
    public void ThePositionOnlyMovesOverAContiguousPrefixOfCompletedRecords()
    {
        var tracker = new AckTracker(new QueuePosition(0, 8));
        var a = tracker.Begin(new QueuePosition(0, 100), 2);
        var b = tracker.Begin(new QueuePosition(0, 200), 1);
        var c = tracker.Begin(new QueuePosition(1, 50), 1);

        tracker.Complete([new PendingSample(s_sample, b), new PendingSample(s_sample, c)]);
        Assert.Equal(new QueuePosition(0, 8), tracker.Acked);

        tracker.Complete([new PendingSample(s_sample, a)]);
        Assert.Equal(new QueuePosition(0, 8), tracker.Acked);

        tracker.Complete([new PendingSample(s_sample, a)]);
        Assert.Equal(new QueuePosition(1, 50), tracker.Acked);
    }

    [Fact]
    public void AnEmptyRecordIsAcknowledgedAtOnceOnlyWhenEverythingBeforeItIs()
    {
        var tracker = new AckTracker(new QueuePosition(0, 8));
        var a = tracker.Begin(new QueuePosition(0, 100), 1);
        tracker.Begin(new QueuePosition(0, 120), 0);
        Assert.Equal(new QueuePosition(0, 8), tracker.Acked);
        tracker.Complete([new PendingSample(s_sample, a)]);
        Assert.Equal(new QueuePosition(0, 120), tracker.Acked);
    }
}
