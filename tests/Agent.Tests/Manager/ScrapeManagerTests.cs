using MetricsCluster.Core;
using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Manager;
using MetricsCluster.Agent.Scrape;
using MetricsCluster.Agent.Tests.Scrape;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Agent.Tests.Manager;

/// <summary>The scrape manager against two Kestrel exporters: targets, reloads and stale markers (G18, real loops and HTTP).</summary>
public sealed class ScrapeManagerTests : IAsyncLifetime
{
    private readonly MemorySink _sink = new();
    private readonly HttpClient _http = ScrapeManager.CreateHttpClient();
    private TestExporter _a = null!;
    private TestExporter _b = null!;
    private ScrapeManager _manager = null!;

    public async Task InitializeAsync()
    {
        _a = await TestExporter.StartAsync();
        _b = await TestExporter.StartAsync();
        _a.ServeText("page_metric 1\n");
        _b.ServeText("page_metric 2\n");
        _manager = new ScrapeManager(_sink, _http, NullLoggerFactory.Instance, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await _manager.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Reload_keeps_unchanged_targets_and_stops_removed_ones_with_stale_markers()
    {
        await _manager.ApplyConfigAsync(Config(_a, _b), CancellationToken.None);
        await WaitAsync(() => _manager.Targets().Active.All(t => t.Status.Health == ScrapeHealth.Up) && Scraped(_b));
        Assert.Equal(2, _manager.Targets().Active.Count);
        var lastScrapeOfA = _manager.Targets().Active.Single(t => t.Target.Url.Authority == _a.Url.Authority).Status.LastScrape;

        await _manager.ApplyConfigAsync(Config(_a), CancellationToken.None);

        var active = Assert.Single(_manager.Targets().Active);
        Assert.Equal(_a.Url.Authority, active.Target.Url.Authority);

        // The kept loop kept its status (a new loop would start as unknown).
        Assert.Equal(ScrapeHealth.Up, active.Status.Health);
        Assert.True(active.Status.LastScrape >= lastScrapeOfA);
        Assert.True(StaleMarkers(_b).Contains("page_metric"), "removed target's series are marked stale");
        Assert.True(StaleMarkers(_b).Contains("up"), "removed target's report series are marked stale");
        Assert.Empty(StaleMarkers(_a));
    }

    [Fact]
    public async Task Changed_metric_relabeling_restarts_loops_without_stale_markers_and_applies_the_new_rules()
    {
        await _manager.ApplyConfigAsync(Config(_a), CancellationToken.None);
        await WaitAsync(() => Scraped(_a));

        await _manager.ApplyConfigAsync(Config(_a) with { ScrapeConfigs = [Config(_a).ScrapeConfigs[0] with { MetricRelabelConfigs = DropPageMetric() }] }, CancellationToken.None);
        int after = _sink.Batches.Count;
        await _sink.WaitForBatchesAsync(after + 2);

        Assert.Empty(StaleMarkers(_a));
        var newest = _sink.Batches.Skip(after + 1).SelectMany(b => b).ToList();
        Assert.DoesNotContain(newest, s => s.Labels.MetricName == "page_metric");
        Assert.Contains(newest, s => s.Labels.MetricName == "up" && s.Value == 1);
    }

    [Fact]
    public async Task Relabeling_that_drops_a_target_lists_it_as_dropped_with_its_discovered_labels()
    {
        var cfg = Config(_a, _b);
        var dropB = AgentConfig.Parse($$"""
            scrape_configs:
              - job_name: j
                relabel_configs:
                  - source_labels: [__address__]
                    regex: '{{_b.Url.Authority.Replace(".", "\\.", StringComparison.Ordinal)}}'
                    action: drop
            """).ScrapeConfigs[0].RelabelConfigs;
        await _manager.ApplyConfigAsync(cfg with { ScrapeConfigs = [cfg.ScrapeConfigs[0] with { RelabelConfigs = dropB }] }, CancellationToken.None);

        var targets = _manager.Targets();
        Assert.Equal(_a.Url.Authority, Assert.Single(targets.Active).Target.Url.Authority);
        var dropped = Assert.Single(targets.Dropped);
        Assert.Equal(_b.Url.Authority, dropped.DiscoveredLabels.Get("__address__"));
        Assert.Equal("j", dropped.ScrapePool);
    }

    [Fact]
    public async Task A_file_sd_change_starts_and_stops_loops_without_a_reload()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mc-sd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string file = Path.Combine(dir, "targets.json");
            await File.WriteAllTextAsync(file, "[{\"targets\": [\"" + _a.Url.Authority + "\"], \"labels\": {\"team\": \"x\"}}]");
            await _manager.ApplyConfigAsync(AgentConfig.Parse($$"""
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: files
                    file_sd_configs:
                      - files: ['{{dir}}/*.json']
                        refresh_interval: 1s
                """), CancellationToken.None);
            var first = Assert.Single(_manager.Targets().Active);
            Assert.Equal("x", first.Target.Labels.Get("team"));
            Assert.Equal(file, first.Target.DiscoveredLabels.Get("__meta_filepath"));

            await File.WriteAllTextAsync(file, "[{\"targets\": [\"" + _b.Url.Authority + "\"]}]");
            await WaitAsync(() => _manager.Targets().Active is [{ } only] && only.Target.Url.Authority == _b.Url.Authority);
            await WaitAsync(() => Scraped(_b));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static AgentConfig Config(params TestExporter[] exporters) => AgentConfig.Parse($$"""
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: j
            static_configs:
              - targets: [{{string.Join(", ", exporters.Select(e => "'" + e.Url.Authority + "'"))}}]
        """);

    private static IReadOnlyList<MetricsCluster.Agent.Relabel.RelabelConfig> DropPageMetric() => AgentConfig.Parse("""
        scrape_configs:
          - job_name: j
            metric_relabel_configs:
              - source_labels: [__name__]
                regex: page_metric
                action: drop
        """).ScrapeConfigs[0].MetricRelabelConfigs;

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 60s");
            await Task.Delay(50);
        }
    }

    private bool Scraped(TestExporter e) => _sink.Batches.SelectMany(b => b)
        .Any(s => s.Labels.MetricName == "page_metric" && s.Labels.Get("instance") == e.Url.Authority && !StaleMarker.Is(s.Value));

    private HashSet<string> StaleMarkers(TestExporter e) => [.. _sink.Batches.SelectMany(b => b)
        .Where(s => StaleMarker.Is(s.Value) && s.Labels.Get("instance") == e.Url.Authority)
        .Select(s => s.Labels.MetricName)];
}
