using System.Text;
using System.Text.Json;
using MetricsCluster.Agent.Http;
using MetricsCluster.Agent.Manager;
using MetricsCluster.Agent.Scrape;
using MetricsCluster.Agent.Targets;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.Manager;

/// <summary>The targets API body and page against Prometheus' shapes.</summary>
public sealed class TargetsJsonTests
{
    private static readonly DiscoveredTarget s_target = new(
        Labels.FromStrings("instance", "h:1", "job", "j"),
        Labels.FromStrings("__address__", "h:1", "__scrape_interval__", "15s", "__scrape_timeout__", "10s", "instance", "h:1", "job", "j"),
        Labels.FromStrings("__address__", "h:1", "__meta_x", "<b>", "job", "j"),
        new Uri("http://h:1/metrics"),
        TimeSpan.FromSeconds(15),
        TimeSpan.FromSeconds(10));

    [Theory]
    [InlineData(0L, "2023-11-14T22:13:20Z")]
    [InlineData(1_230_000L, "2023-11-14T22:13:20.123Z")]
    [InlineData(1_234_567L, "2023-11-14T22:13:20.1234567Z")]
    public void Times_are_RFC3339Nano_without_trailing_zeros(long ticks, string expected) =>
        Assert.Equal(expected, TargetsJson.Rfc3339Nano(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(ticks)));

    [Fact]
    public void Body_has_Prometheus_fields_in_order_and_state_filters()
    {
        var snapshot = new TargetsSnapshot(
            [new ActiveTargetInfo("j", s_target, new ScrapeStatus(ScrapeHealth.Down, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), TimeSpan.FromMilliseconds(1500), "boom"))],
            [new DroppedTargetInfo("j", Labels.FromStrings("__address__", "d:2"))]);

        var any = Write(snapshot, "any");
        var t = any.GetProperty("data").GetProperty("activeTargets")[0];
        Assert.Equal(
            ["discoveredLabels", "labels", "scrapePool", "scrapeUrl", "globalUrl", "lastError", "lastScrape", "lastScrapeDuration", "health", "scrapeInterval", "scrapeTimeout"],
            t.EnumerateObject().Select(p => p.Name));
        Assert.Equal("down", t.GetProperty("health").GetString());
        Assert.Equal("boom", t.GetProperty("lastError").GetString());
        Assert.Equal(1.5, t.GetProperty("lastScrapeDuration").GetDouble());
        Assert.Equal("15s", t.GetProperty("scrapeInterval").GetString());
        Assert.Equal("<b>", t.GetProperty("discoveredLabels").GetProperty("__meta_x").GetString());
        Assert.Equal("d:2", any.GetProperty("data").GetProperty("droppedTargets")[0].GetProperty("discoveredLabels").GetProperty("__address__").GetString());

        Assert.Equal(0, Write(snapshot, "active").GetProperty("data").GetProperty("droppedTargets").GetArrayLength());
        Assert.Equal(0, Write(snapshot, "dropped").GetProperty("data").GetProperty("activeTargets").GetArrayLength());
        Assert.Equal(0, Write(snapshot, "bogus").GetProperty("data").GetProperty("activeTargets").GetArrayLength());
    }

    [Fact]
    public void A_target_never_scraped_is_unknown_at_Go_zero_time_and_the_page_escapes_html()
    {
        var snapshot = new TargetsSnapshot([new ActiveTargetInfo("j<script>", s_target, ScrapeStatus.NotScraped)], []);
        var t = Write(snapshot, "any").GetProperty("data").GetProperty("activeTargets")[0];
        Assert.Equal("unknown", t.GetProperty("health").GetString());
        Assert.Equal(TargetsJson.ZeroTime, t.GetProperty("lastScrape").GetString());

        string page = TargetsPage.Render(snapshot, DateTimeOffset.UnixEpoch);
        Assert.Contains("j&lt;script&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain("j<script>", page, StringComparison.Ordinal);
        Assert.Contains("UNKNOWN", page, StringComparison.Ordinal);
    }

    private static JsonElement Write(TargetsSnapshot s, string state)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            TargetsJson.Write(w, s, state);
        }

        return JsonDocument.Parse(Encoding.UTF8.GetString(ms.ToArray())).RootElement.Clone();
    }
}
