using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// Parity with Prometheus 2.42: both scrape the same node_exporter with the same relabeling, and both store the
/// same series (label sets; values differ by timing). Both add the same five report series (up, scrape_duration_seconds,
/// scrape_samples_scraped, scrape_samples_post_metric_relabeling, scrape_series_added), so nothing is excluded.
/// </summary>
public sealed class AgentParityTests(ITestOutputHelper output)
{
    private const string Tenant = "parity";

    [Fact]
    public async Task Agent_and_Prometheus_store_the_same_series_from_node_exporter()
    {
        await using var exporter = await NodeExporterProcess.StartAsync();
        string scrapeConfigs = $$"""
            scrape_configs:
              - job_name: node
                scrape_interval: 2s
                static_configs:
                  - targets: ['{{exporter.Address}}']
                    labels: {site: lab}
                relabel_configs:
                  - source_labels: [__address__]
                    regex: '(.*):\d+'
                    target_label: host
                metric_relabel_configs:
                  - source_labels: [__name__]
                    regex: 'node_cpu_.*|go_.*'
                    action: drop
                  - source_labels: [__name__, mode]
                    regex: 'node_network_receive_bytes_total;.*'
                    target_label: kind
                    replacement: rx
            """;
        await using var prom = await PrometheusProcess.StartAsync(scrapeConfigs);
        await using var mc = await MetricsClusterProcess.StartAsync("--agent.config.file=" + AgentHelpers.WriteConfig(scrapeConfigs), "--agent.tenant=" + Tenant);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // Several scrapes on both sides: wait until each has stored at least 4 samples of up.
        await AgentHelpers.WaitUntilAsync(
            async () => await UpSamples(http, prom.BaseUri, null, "") >= 4 && await UpSamples(http, mc.BaseUri, Tenant, "/prometheus") >= 4,
            "four scrapes on both sides",
            state: () => prom.Output + "\n" + mc.Child.Output);

        var ours = await SeriesSet(http, mc.BaseUri, Tenant, "/prometheus");
        var theirs = await SeriesSet(http, prom.BaseUri, null, string.Empty);
        output.WriteLine($"series compared: ours {ours.Count}, Prometheus {theirs.Count}");
        var onlyOurs = ours.Except(theirs).Order(StringComparer.Ordinal).ToList();
        var onlyTheirs = theirs.Except(ours).Order(StringComparer.Ordinal).ToList();
        Assert.True(
            onlyOurs.Count == 0 && onlyTheirs.Count == 0,
            $"{ours.Count} vs {theirs.Count} series; only ours:\n{string.Join("\n", onlyOurs.Take(30))}\nonly Prometheus':\n{string.Join("\n", onlyTheirs.Take(30))}");
        Assert.True(ours.Count > 100, $"node_exporter should expose many series, got {ours.Count}");
        Assert.Contains(ours, s => s.Contains("kind=\"rx\"", StringComparison.Ordinal));
        Assert.DoesNotContain(ours, s => s.Contains("__name__=\"node_cpu_seconds_total\"", StringComparison.Ordinal) || s.Contains("__name__=\"go_", StringComparison.Ordinal));
    }

    private static async Task<int> UpSamples(HttpClient http, Uri baseUri, string? tenant, string prefix)
    {
        var r = await AgentHelpers.QueryAsync(http, baseUri, "count_over_time(up{job=\"node\"}[5m])", tenant, prefix);
        return r.Count == 0 ? 0 : int.Parse(r[0].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The label sets of every series of the job stored in the last 5 minutes, as sorted text.</summary>
    private static async Task<HashSet<string>> SeriesSet(HttpClient http, Uri baseUri, string? tenant, string prefix)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (status, json, raw) = await QueryApi.GetAsync(http, baseUri, $"{prefix}/api/v1/series?match[]={Uri.EscapeDataString("{job=\"node\"}")}&start={now - 300}&end={now + 60}", tenant);
        Assert.True(status == 200 && json is not null, raw);
        return [.. json!.RootElement.GetProperty("data").EnumerateArray().Select(o =>
            string.Join(",", o.EnumerateObject().Select(p => $"{p.Name}=\"{p.Value.GetString()}\"").Order(StringComparer.Ordinal)))];
    }
}
