using MetricsCluster.Agent.Scrape;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.Scrape;

/// <summary>Prometheus' offset(): a fixed phase per target inside the interval.</summary>
public sealed class ScrapeOffsetTests
{
    private static ScrapeTarget Target(string instance) => new()
    {
        Labels = Labels.FromStrings("job", "j", "instance", instance),
        Url = new Uri($"http://{instance}/metrics"),
        Interval = TimeSpan.FromSeconds(15),
        Timeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public void FirstScrapeLandsOnTheSamePhaseWhateverTheStartTime()
    {
        var t = Target("a:1");
        var t0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        for (int i = 0; i < 50; i++)
        {
            var now = t0.AddMilliseconds(i * 977);
            var wait = ScrapeOffset.Compute(t, now, seed: 0);
            Assert.InRange(wait, TimeSpan.Zero, t.Interval);

            // The scrape time modulo the interval is the target's phase.
            long phase = (now + wait - DateTimeOffset.UnixEpoch).Ticks % t.Interval.Ticks;
            Assert.Equal((long)(ScrapeOffset.TargetHash(t) % (ulong)t.Interval.Ticks), phase);
        }
    }

    [Fact]
    public void TargetsAndSeedsSpreadOverTheInterval()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var waits = Enumerable.Range(0, 20).Select(i => ScrapeOffset.Compute(Target($"h{i}:9100"), now, 0)).Distinct().Count();
        Assert.True(waits >= 19);
        Assert.NotEqual(ScrapeOffset.Compute(Target("a:1"), now, 1), ScrapeOffset.Compute(Target("a:1"), now, 2));
    }

    [Fact]
    public void ValidateNamesTheSetting()
    {
        var bad = new ScrapeTarget { Labels = Labels.Empty, Url = new Uri("http://x/"), Interval = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromSeconds(10) };
        var e = Assert.Throws<ArgumentException>(bad.Validate);
        Assert.Contains("scrape_timeout", e.Message, StringComparison.Ordinal);
    }
}
