using System.Diagnostics;
using System.Text.Json;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests.Helm;

/// <summary>
/// Issue 16 item 5, "run what the chart renders": the Deployments and StatefulSets the chart renders for
/// <c>deploy/helm/tests/values/local-e2e.yaml</c> (3 ingesters RF 3, one distributor, querier, store-gateway and
/// compactor, the filesystem bucket, an external PostgreSQL) are started as local processes with each container's args,
/// env and mounted config (<see cref="ChartCluster"/>), so a flag, a config key, a path or an env var the chart gets
/// wrong fails here. Then the chart's own <c>helm test</c> script and a steady load run through them, and losing an
/// ingester (kill -9, then the StatefulSet's restart of the same pod on the same volume) fails no write and every
/// acknowledged sample is read back exactly once.
/// </summary>
public sealed class RenderedChartTests : IDisposable
{
    private const string Values = "deploy/helm/tests/values/local-e2e.yaml";
    private const string Tenant = "helm-e2e";
    private const int Series = 200;
    private static readonly TimeSpan s_generous = TimeSpan.FromSeconds(120);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task The_rendered_chart_runs_answers_its_helm_test_and_loses_an_ingester_without_a_failed_write_or_a_lost_sample()
    {
        await using var cluster = await ChartCluster.StartAsync(Values);

        // Every pod of every rendered workload runs: 3 ingesters from one StatefulSet, one of each other component.
        Assert.Equal(
            ["compactor", "distributor", "ingester", "ingester", "ingester", "querier", "ruler", "store-gateway"],
            cluster.Pods.Select(p => p.Component).Order(StringComparer.Ordinal));
        var ingesters = cluster.OfComponent("ingester").ToList();
        var distributor = cluster.First("distributor");
        var querier = cluster.First("querier");
        await WaitIngestersActiveAsync(cluster, [distributor, querier], ingesters.Select(i => i.Name).ToList());

        // The chart's helm test pod, its Service URLs resolved to the local pods: a hand-written remote-write request
        // through the distributor, read back exactly from the querier.
        string helmTest = await RunHelmTestPodAsync(cluster);
        Assert.Contains("ok: ", helmTest, StringComparison.Ordinal);

        await using var writer = new LoadWriter(distributor.BaseUri, Tenant, "helm_e2e_load", Series);
        writer.Start();
        await writer.WaitForMoreAsync(30, s_generous);
        await AssertEveryAckedSampleAsync(cluster, querier, writer, "before the kill");

        var victim = ingesters[1];
        victim.Kill9();
        await writer.WaitForMoreAsync(50, s_generous);
        await AssertEveryAckedSampleAsync(cluster, querier, writer, $"with {victim.Name} killed");

        // The StatefulSet controller starts the same pod again: same name (instance id), same volume (WAL, tokens).
        await victim.StartAsync(TimeSpan.FromSeconds(180));
        Assert.Matches($@"tenant {Tenant}: replayed [1-9]\d* series, [1-9]\d* samples", victim.Child.Output);
        await WaitIngestersActiveAsync(cluster, [distributor, querier], ingesters.Select(i => i.Name).ToList());
        await writer.WaitForMoreAsync(30, s_generous);
        await writer.StopAsync();
        await AssertEveryAckedSampleAsync(cluster, querier, writer, $"after {victim.Name} restarted");

        // The chart's ruler evaluates a group stored through its config API; the querier returns what it recorded.
        var (status, body) = await RulerApi.PostGroupAsync(_http, cluster.First("ruler").BaseUri, Tenant, "helm", "name: load\ninterval: 2s\nrules:\n  - record: helm_e2e_load:count\n    expr: count(helm_e2e_load)\n");
        Assert.True(status == 202, $"config API answered {status}: {body}");
        await Poll.UntilAsync(async () =>
        {
            var (s, json, raw) = await QueryApi.GetAsync(_http, querier.BaseUri, "/prometheus/api/v1/query?query=helm_e2e_load:count", Tenant);
            using (json)
            {
                return s == 200 && raw.Contains($"\"{Series}\"", StringComparison.Ordinal) ? null : raw;
            }
        }, s_generous, "the ruler's recorded series");
        Assert.True(writer.Failures.Count == 0, "failed writes:\n" + string.Join('\n', writer.Failures.Take(20)));

        // The pods run with a read-only root filesystem: nothing may have been written outside the volumes.
        var writes = cluster.Pods.SelectMany(p => p.RootFilesystemWrites().Select(f => $"{p.Name}: {f}")).ToList();
        Assert.True(writes.Count == 0, "written outside the pods' volumes (read-only root filesystem):\n" + string.Join('\n', writes));
    }

    private static async Task<string> RunHelmTestPodAsync(ChartCluster cluster)
    {
        var pod = cluster.Chart.OfKind("Pod").Single(p => (string?)p["metadata"]!["annotations"]?["helm.sh/hook"] == "test");
        var container = pod["spec"]!["containers"]![0]!;
        var command = container["command"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.Equal(["sh", "-c"], command.Take(2));
        var psi = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in command.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var e in container["env"]!.AsArray())
        {
            psi.Environment[(string)e!["name"]!] = cluster.ResolveServiceUrls((string)e["value"]!);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(cts.Token);
        string output = await stdout + await stderr;
        Assert.True(p.ExitCode == 0, $"the helm test script exited with {p.ExitCode}:\n{output}\n{cluster.Logs()}");
        return output;
    }

    private async Task WaitIngestersActiveAsync(ChartCluster cluster, ChartPod[] viewers, List<string> ids)
    {
        foreach (var viewer in viewers)
        {
            await Poll.UntilAsync(
                async () =>
                {
                    using var resp = await _http.GetAsync(new Uri(viewer.BaseUri, "/ingester/ring?format=json"));
                    string raw = await resp.Content.ReadAsStringAsync();
                    if (!resp.IsSuccessStatusCode)
                    {
                        return $"/ingester/ring answered {(int)resp.StatusCode}: {raw}";
                    }

                    using var json = JsonDocument.Parse(raw);
                    var ring = json.RootElement.GetProperty("shards").EnumerateArray().ToDictionary(
                        s => s.GetProperty("id").GetString()!,
                        s => (State: s.GetProperty("state").GetString()!.ToUpperInvariant(), Healthy: s.GetProperty("healthy").GetBoolean()));
                    return ids.All(id => ring.TryGetValue(id, out var s) && s is ("ACTIVE", true))
                        ? null
                        : string.Join(", ", ring.Select(kv => $"{kv.Key}={kv.Value.State}{(kv.Value.Healthy ? string.Empty : " (unhealthy)")}"));
                },
                s_generous,
                $"every ingester ACTIVE in the ring seen by {viewer.Name}\n{cluster.Logs()}");
        }
    }

    private async Task AssertEveryAckedSampleAsync(ChartCluster cluster, ChartPod querier, LoadWriter writer, string when)
    {
        Assert.True(writer.Failures.Count == 0, $"{when}: failed writes:\n{string.Join('\n', writer.Failures.Take(20))}\n{cluster.Logs()}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            string? problem;
            try
            {
                problem = await AckedSamples.CheckAsync(_http, querier.BaseUri, Tenant, writer);
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TaskCanceledException)
            {
                // A query answered with an error is retried for a while; a wrong answer fails at once.
                if (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(500);
                    continue;
                }

                problem = $"the query kept failing: {e.Message}";
            }

            Assert.True(problem is null, $"{when}: {problem}\n{cluster.Logs()}");
            return;
        }
    }
}
