using System.Text.Json;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>The real Prometheus scrapes itself and remote-writes to metrics-cluster.</summary>
public sealed class PrometheusRemoteWriteTests
{
    [Fact]
    public async Task Prometheus_remote_write_series_and_metadata_appear_in_our_api()
    {
        // Debian's Prometheus 2.42 drops custom remote-write headers (prometheus/prometheus#13030), so it cannot
        // send X-Scope-OrgID; this test runs single-tenant, where every request is tenant "anonymous".
        const string? tenant = null;
        await using var mc = await MetricsClusterProcess.StartAsync("--auth.multitenancy-enabled=false");
        await using var prom = await PrometheusProcess.StartAsync($$"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: prometheus
                static_configs:
                  - targets: ['127.0.0.1:__SELF_PORT__']
            remote_write:
              - url: http://127.0.0.1:{{mc.Port}}/api/v1/push
                queue_config:
                  batch_send_deadline: 1s
                metadata_config:
                  send_interval: 1s
            """);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // Wait for build info in both; it is one series with several labels, a good exact-match check.
        var ours = await Eventually(() => QueryApi.SeriesAsync(http, mc.BaseUri, "prometheus_build_info", tenant), s => s.Count == 1, prom, mc);
        var (_, theirsJson, _) = await QueryApi.GetAsync(http, prom.BaseUri, "/api/v1/series?match[]=prometheus_build_info", null);
        var theirs = theirsJson!.RootElement.GetProperty("data").EnumerateArray()
            .Select(o => o.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)).ToList();
        Assert.Equal(theirs.Single().OrderBy(p => p.Key), ours.Single().OrderBy(p => p.Key));

        var up = await Eventually(() => QueryApi.SeriesAsync(http, mc.BaseUri, "up", tenant), s => s.Count == 1, prom, mc);
        Assert.Equal("prometheus", up[0]["job"]);
        Assert.Equal($"127.0.0.1:{prom.Port}", up[0]["instance"]);

        // Many series, and label values list consistent with them.
        var all = await QueryApi.SeriesAsync(http, mc.BaseUri, "{job=\"prometheus\"}", tenant);
        Assert.True(all.Count > 100, $"only {all.Count} series arrived");
        var (_, names, _) = await QueryApi.GetAsync(http, mc.BaseUri, "/prometheus/api/v1/label/__name__/values", tenant);
        var nameSet = names!.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString()).ToHashSet();
        Assert.All(all, s => Assert.Contains(s["__name__"], nameSet));

        // Metadata sent by Prometheus is kept.
        var md = await Eventually(
            async () => (await QueryApi.GetAsync(http, mc.BaseUri, "/prometheus/api/v1/metadata?metric=prometheus_http_requests_total", tenant)).Json!,
            j => j.RootElement.GetProperty("data").TryGetProperty("prometheus_http_requests_total", out _),
            prom,
            mc);
        Assert.Equal("counter", md.RootElement.GetProperty("data").GetProperty("prometheus_http_requests_total")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Prometheus_2_42_names_its_tenant_with_basic_auth_and_nothing_is_dropped()
    {
        // Debian's Prometheus cannot send X-Scope-OrgID; basic_auth's user name is the tenant with
        // --auth.tenant-from-basic-auth (the quick start's snippet for it).
        const string tenant = "team-a";
        await using var mc = await MetricsClusterProcess.StartAsync("--auth.tenant-from-basic-auth");
        await using var prom = await PrometheusProcess.StartAsync($$"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: prometheus
                static_configs:
                  - targets: ['127.0.0.1:__SELF_PORT__']
            remote_write:
              - url: http://127.0.0.1:{{mc.Port}}/api/v1/push
                basic_auth:
                  username: {{tenant}}
                  password: unused
                queue_config:
                  batch_send_deadline: 1s
            """);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var up = await Eventually(() => QueryApi.SeriesAsync(http, mc.BaseUri, "up", tenant), s => s.Count == 1, prom, mc);
        Assert.Equal("prometheus", up[0]["job"]);
        Assert.Empty(await QueryApi.SeriesAsync(http, mc.BaseUri, "up", "anonymous"));

        // Prometheus counts what it sent and what it gave up on: everything sent, nothing failed or dropped.
        var sent = await Eventually(
            () => PromScalarAsync(http, prom, "sum(prometheus_remote_storage_samples_total)"),
            v => v > 100,
            prom,
            mc);
        Assert.True(sent > 100, $"Prometheus sent {sent} samples");
        Assert.Equal(0, await PromScalarAsync(http, prom, "sum(prometheus_remote_storage_samples_failed_total) + sum(prometheus_remote_storage_samples_dropped_total)"));
    }

    private static async Task<double> PromScalarAsync(HttpClient http, PrometheusProcess prom, string query)
    {
        var (_, json, _) = await QueryApi.GetAsync(http, prom.BaseUri, "/api/v1/query?query=" + Uri.EscapeDataString(query), null);
        var result = json!.RootElement.GetProperty("data").GetProperty("result");
        // No series (a metric Prometheus does not have) is NaN, so a misspelt name cannot pass as zero.
        return result.GetArrayLength() == 0
            ? double.NaN
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> get, Func<T, bool> ok, PrometheusProcess prom, MetricsClusterProcess mc)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        T value = await get();
        while (!ok(value))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met; last value {JsonSerializer.Serialize(value)}\nprometheus:\n{prom.Output}\nmetrics-cluster:\n{mc.Child.Output}");
            }

            await Task.Delay(500);
            value = await get();
        }

        return value;
    }
}
