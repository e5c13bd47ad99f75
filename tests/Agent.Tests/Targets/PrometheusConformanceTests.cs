using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Targets;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.Targets;

/// <summary>
/// Runs the real Prometheus 2.42 on a config with static targets and relabel rules, reads its
/// <c>/api/v1/targets</c>, and checks that our config parser + TargetBuilder produce the same active targets
/// (labels, discovered labels, scrape URL) and the same dropped targets.
/// The rules never rewrite an existing <c>__scrape_*</c> label in place: Prometheus 2.42 then reports the
/// relabeled value among its discovered labels (its relabel.Process reuses the input's backing array), a bug
/// we do not copy; TargetBuilderTests covers those rewrites.
/// </summary>
public sealed class PrometheusConformanceTests : IDisposable
{
    private const string Config = """
        global:
          scrape_interval: 1h
          scrape_timeout: 7s
        scrape_configs:
          - job_name: conf
            metrics_path: /m
            params:
              module: [a, b]
            static_configs:
              - targets: ['127.0.0.1:1', 'host-b', '[::1]', 'drop-me:9', 'keep-me:5']
                labels: {env: Prod, team: x}
              - targets: ['127.0.0.2:3']
                labels: {instance: fixed, __scheme__: https}
            relabel_configs:
              - source_labels: [__address__]
                regex: 'drop-me:.*'
                action: drop
              - source_labels: [env]
                target_label: env_lc
                action: lowercase
              - source_labels: [env]
                target_label: env_uc
                action: uppercase
              - source_labels: [__address__]
                target_label: __param_target
              - source_labels: [__address__]
                modulus: 5
                target_label: shard
                action: hashmod
              - regex: 'te(am)'
                replacement: 'owner_$1'
                action: labelmap
              - regex: 'team'
                action: labeldrop
              - source_labels: [__address__]
                regex: '([^:\[\]]+)(?::\d+)?'
                target_label: host
                replacement: '${1}'
              - source_labels: [__address__, env]
                separator: '@'
                regex: '(keep)-me:5@(.*)'
                target_label: '${1}_env'
                replacement: '$2'
          - job_name: second
            scrape_interval: 30s
            static_configs: [{targets: ['127.0.0.3:4']}]
            relabel_configs:
              - source_labels: [job]
                regex: second
                action: keep
              - target_label: extra
                replacement: 'yes'
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("prom-conformance").FullName;
    private Process? _prometheus;

    [Fact]
    public async Task TargetsMatchPrometheus()
    {
        string configPath = Path.Combine(_dir, "prometheus.yml");
        File.WriteAllText(configPath, Config);
        int port = FreePort();
        _prometheus = Process.Start(new ProcessStartInfo("prometheus",
        [
            $"--config.file={configPath}", $"--storage.tsdb.path={Path.Combine(_dir, "data")}", $"--web.listen-address=127.0.0.1:{port}",
        ])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        _prometheus.OutputDataReceived += (_, _) => { };
        _prometheus.ErrorDataReceived += (_, _) => { };
        _prometheus.BeginOutputReadLine();
        _prometheus.BeginErrorReadLine();

        var (active, dropped) = await WaitForTargets(port, expectedActive: 6, expectedDropped: 1);

        var ours = AgentConfig.Parse(Config);
        var results = ours.ScrapeConfigs.SelectMany(c => c.StaticConfigs.SelectMany(g => TargetBuilder.FromGroup(c, g))).ToList();
        Assert.All(results, r => Assert.Null(r.Error));
        var ourActive = results.Where(r => r.Target is not null).Select(r => r.Target!)
            .ToDictionary(t => t.DiscoveredLabels.Get("__address__"));
        var ourDropped = results.Where(r => r.Dropped is not null).Select(r => r.Dropped!.Value).ToList();

        Assert.Equal(active.Keys.Order(), ourActive.Keys.Order());
        foreach (var (address, theirs) in active)
        {
            var mine = ourActive[address];
            Assert.Equal(theirs.Labels, mine.Labels);
            Assert.Equal(theirs.Discovered, mine.DiscoveredLabels);
            Assert.Equal(theirs.Url, mine.Url.OriginalString);
        }

        Assert.Equal(dropped, ourDropped);
    }

    public void Dispose()
    {
        if (_prometheus is { HasExited: false })
        {
            _prometheus.Kill();
            _prometheus.WaitForExit(TimeSpan.FromSeconds(30));
        }

        _prometheus?.Dispose();
        Directory.Delete(_dir, true);
    }

    private static async Task<(Dictionary<string, (Labels Labels, Labels Discovered, string Url)> Active, List<Labels> Dropped)> WaitForTargets(
        int port, int expectedActive, int expectedDropped)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        string last = "(no answer)";
        while (DateTime.UtcNow < until)
        {
            try
            {
                last = await http.GetStringAsync($"http://127.0.0.1:{port}/api/v1/targets");
                using var doc = JsonDocument.Parse(last);
                var data = doc.RootElement.GetProperty("data");
                var active = data.GetProperty("activeTargets").EnumerateArray().ToList();
                var dropped = data.GetProperty("droppedTargets").EnumerateArray().ToList();
                if (active.Count == expectedActive && dropped.Count == expectedDropped)
                {
                    return (
                        active.ToDictionary(
                            a => a.GetProperty("discoveredLabels").GetProperty("__address__").GetString()!,
                            a => (ToLabels(a.GetProperty("labels")), ToLabels(a.GetProperty("discoveredLabels")), a.GetProperty("scrapeUrl").GetString()!)),
                        [.. dropped.Select(d => ToLabels(d.GetProperty("discoveredLabels")))]);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow machine; try again.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Prometheus did not report the expected targets; last answer: {last}");
    }

    private static Labels ToLabels(JsonElement obj)
    {
        var b = new LabelsBuilder();
        foreach (var p in obj.EnumerateObject())
        {
            b.Set(p.Name, p.Value.GetString()!);
        }

        return b.Build();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
