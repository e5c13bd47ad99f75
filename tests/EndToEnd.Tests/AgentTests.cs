using System.Text.Json;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>The embedded agent in the whole binary, scraping a real node_exporter into the in-process distributor (G18).</summary>
public sealed class AgentTests(ITestOutputHelper output)
{
    private const string Tenant = "agent-e2e";

    [Fact]
    public async Task Target_all_scrapes_node_exporter_relabels_serves_targets_reloads_and_marks_a_stopped_target_stale()
    {
        await using var exporter = await NodeExporterProcess.StartAsync();
        string dead = $"127.0.0.1:{Repo.FreePort()}";
        string config = AgentHelpers.WriteConfig($$"""
            global:
              scrape_interval: 2s
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ['{{exporter.Address}}', '{{dead}}']
                metric_relabel_configs:
                  - source_labels: [__name__]
                    regex: node_cpu_seconds_total
                    action: drop
                  - source_labels: [__name__]
                    regex: node_load1
                    target_label: __name__
                    replacement: renamed_load1
              - job_name: never
                static_configs:
                  - targets: ['127.0.0.1:9']
                relabel_configs:
                  - source_labels: [__address__]
                    regex: '.*:9'
                    action: drop
            """);
        await using var mc = await MetricsClusterProcess.StartAsync("--agent.config.file=" + config, "--agent.tenant=" + Tenant);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // (a) up is 1 for node_exporter and 0 for the closed port, in the tenant given by --agent.tenant.
        Dictionary<string, string> up = [];
        await AgentHelpers.WaitUntilAsync(
            async () =>
            {
                up = (await AgentHelpers.QueryAsync(http, mc.BaseUri, "up", Tenant)).ToDictionary(r => r.Metric["instance"], r => r.Value);
                return up.Count == 2;
            },
            "up for both targets",
            state: () => mc.Child.Output);
        Assert.Equal("1", up[exporter.Address]);
        Assert.Equal("0", up[dead]);

        // Node metrics arrive; the drop rule removed a family and the replace rule renamed one.
        Assert.NotEmpty(await AgentHelpers.QueryAsync(http, mc.BaseUri, "node_memory_MemTotal_bytes", Tenant));
        var renamed = await AgentHelpers.QueryAsync(http, mc.BaseUri, "renamed_load1", Tenant);
        Assert.Equal(exporter.Address, Assert.Single(renamed).Metric["instance"]);
        Assert.Empty(await AgentHelpers.QueryAsync(http, mc.BaseUri, "node_load1", Tenant));
        Assert.Empty(await AgentHelpers.QueryAsync(http, mc.BaseUri, "node_cpu_seconds_total", Tenant));
        Assert.NotEmpty(await AgentHelpers.QueryAsync(http, mc.BaseUri, "node_load5", Tenant));

        // The targets API in Prometheus' shape, at both paths, with health and lastError.
        foreach (string path in new[] { "/api/v1/targets", "/prometheus/api/v1/targets" })
        {
            var doc = await AgentHelpers.TargetsAsync(http, mc.BaseUri, path);
            Assert.Equal("success", doc.GetProperty("status").GetString());
            var active = doc.GetProperty("data").GetProperty("activeTargets").EnumerateArray().ToDictionary(t => t.GetProperty("labels").GetProperty("instance").GetString()!);
            Assert.Equal(2, active.Count);
            AssertTarget(active[exporter.Address], "up", expectError: false);
            AssertTarget(active[dead], "down", expectError: true);
            var dropped = Assert.Single(doc.GetProperty("data").GetProperty("droppedTargets").EnumerateArray());
            Assert.Equal("127.0.0.1:9", dropped.GetProperty("discoveredLabels").GetProperty("__address__").GetString());
            Assert.Equal("never", dropped.GetProperty("discoveredLabels").GetProperty("job").GetString());
        }

        var onlyDropped = await AgentHelpers.TargetsAsync(http, mc.BaseUri, "/api/v1/targets?state=dropped");
        Assert.Empty(onlyDropped.GetProperty("data").GetProperty("activeTargets").EnumerateArray());
        Assert.Single(onlyDropped.GetProperty("data").GetProperty("droppedTargets").EnumerateArray());
        var onlyActive = await AgentHelpers.TargetsAsync(http, mc.BaseUri, "/api/v1/targets?state=active");
        Assert.Equal(2, onlyActive.GetProperty("data").GetProperty("activeTargets").GetArrayLength());
        Assert.Empty(onlyActive.GetProperty("data").GetProperty("droppedTargets").EnumerateArray());

        string page = await http.GetStringAsync(new Uri(mc.BaseUri, "/targets"));
        Assert.Contains($"http://{exporter.Address}/metrics", page, StringComparison.Ordinal);
        Assert.Contains("DOWN", page, StringComparison.Ordinal);

        // It says where the samples go and as which tenant, on the page and in the log.
        string destination = $"this process&#39;s distributor, tenant {Tenant} (--agent.tenant)";
        Assert.Contains("Samples are written to: " + destination, page, StringComparison.Ordinal);
        Assert.Contains($"agent writes to this process's distributor, tenant {Tenant} (--agent.tenant)", mc.Child.Output, StringComparison.Ordinal);

        // A broken file is refused with 500 and the error; the running config keeps scraping.
        string good = await File.ReadAllTextAsync(config);
        await File.WriteAllTextAsync(config, good + "\nnot_a_prometheus_section: 1\n");
        using (var resp = await http.PostAsync(new Uri(mc.BaseUri, "/-/reload"), null))
        {
            Assert.Equal(500, (int)resp.StatusCode);
            Assert.Contains("not_a_prometheus_section", await resp.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await File.WriteAllTextAsync(config, good);
        using (var resp = await http.PostAsync(new Uri(mc.BaseUri, "/-/reload"), null))
        {
            Assert.Equal(200, (int)resp.StatusCode);
        }

        Assert.Equal(2, (await AgentHelpers.TargetsAsync(http, mc.BaseUri, "/api/v1/targets?state=active")).GetProperty("data").GetProperty("activeTargets").GetArrayLength());

        // SIGHUP reloads too: a new job appears, the process keeps running.
        string extra = $"127.0.0.1:{Repo.FreePort()}";
        await File.WriteAllTextAsync(config, good + $"\n  - job_name: extra\n    static_configs:\n      - targets: ['{extra}']\n");
        using (var hup = System.Diagnostics.Process.Start("kill", ["-HUP", mc.Child.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await hup.WaitForExitAsync();
        }

        await AgentHelpers.WaitUntilAsync(
            async () => (await AgentHelpers.TargetsAsync(http, mc.BaseUri, "/api/v1/targets?state=active")).GetProperty("data").GetProperty("activeTargets").GetArrayLength() == 3,
            "the SIGHUP reload to add job extra",
            state: () => mc.Child.Output);
        Assert.False(mc.Child.HasExited);

        // (b) node_exporter stops: its next scrape fails and marks every node_* series stale, so an instant query
        // is empty within a couple of scrape intervals (plus the queue's 5s batch deadline), not after the 5m lookback.
        await exporter.StopAsync();
        var stoppedAt = DateTime.UtcNow;
        await AgentHelpers.WaitUntilAsync(
            async () => (await AgentHelpers.QueryAsync(http, mc.BaseUri, "node_memory_MemTotal_bytes", Tenant)).Count == 0,
            "node_* series to go stale",
            TimeSpan.FromSeconds(45),
            () => mc.Child.Output);
        var staleAfter = DateTime.UtcNow - stoppedAt;
        output.WriteLine($"node_* series gone {staleAfter.TotalSeconds:0.0}s after node_exporter stopped (scrape interval 2s, batch deadline 5s)");
        Assert.True(staleAfter < TimeSpan.FromMinutes(1), "staleness came from markers, not from the 5m lookback");
        Assert.Empty(await AgentHelpers.QueryAsync(http, mc.BaseUri, "renamed_load1", Tenant));
        var upAfter = (await AgentHelpers.QueryAsync(http, mc.BaseUri, "up", Tenant)).ToDictionary(r => r.Metric["instance"], r => r.Value);
        Assert.Equal("0", upAfter[exporter.Address]);
    }

    [Theory]
    [InlineData("--target=agent", "no remote_write configured")] // Prometheus Agent mode needs somewhere to send.
    [InlineData("--agent.tenant=a/b", "agent.tenant (--agent.tenant)")] // The tenant becomes a directory name.
    public async Task Agent_misconfiguration_is_a_configuration_error(string flag, string expected)
    {
        string config = AgentHelpers.WriteConfig("""
            scrape_configs:
              - job_name: x
                static_configs:
                  - targets: ['127.0.0.1:9']
            """);
        using var child = ChildProcess.Start("dotnet", [Repo.BinaryDll, flag, "--agent.config.file=" + config, $"--server.http-listen-port={Repo.FreePort()}", "--data.dir=" + Repo.TempDir("agentmode")]);
        await AgentHelpers.WaitUntilAsync(() => Task.FromResult(child.HasExited), "the process to exit", state: () => child.Output);
        Assert.Equal(2, child.ExitCode);
        Assert.Contains(expected, child.Output, StringComparison.Ordinal);
    }

    private static void AssertTarget(JsonElement t, string health, bool expectError)
    {
        Assert.Equal(health, t.GetProperty("health").GetString());
        Assert.Equal("node", t.GetProperty("scrapePool").GetString());
        Assert.Equal("2s", t.GetProperty("scrapeInterval").GetString());
        Assert.Equal("2s", t.GetProperty("scrapeTimeout").GetString());
        Assert.Equal("node", t.GetProperty("labels").GetProperty("job").GetString());
        Assert.StartsWith("http://127.0.0.1:", t.GetProperty("scrapeUrl").GetString(), StringComparison.Ordinal);
        Assert.True(t.GetProperty("discoveredLabels").TryGetProperty("__address__", out _));
        Assert.True(DateTimeOffset.TryParse(t.GetProperty("lastScrape").GetString(), System.Globalization.CultureInfo.InvariantCulture, out var last) && last.Year > 2000);
        Assert.True(t.GetProperty("lastScrapeDuration").GetDouble() > 0);
        Assert.Equal(expectError, t.GetProperty("lastError").GetString()!.Length > 0);
    }
}
