using System.Text.Json;
using System.Text.RegularExpressions;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The endpoints Grafana and tools call besides queries, asked of Debian's Prometheus 2.42 and of our binary, whose
/// agent scrapes that Prometheus: the JSON shapes (key sets and value types, not values) must be the same (issue 15).
/// </summary>
public sealed partial class StatusApiParityTests
{
    private const string Tenant = "team-a";

    [Fact]
    public async Task Status_ruler_targets_and_federate_answer_with_prometheus_shapes()
    {
        await using var prom = await PrometheusProcess.StartAsync("""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: prometheus
                static_configs:
                  - targets: ['127.0.0.1:__SELF_PORT__']
            """);
        string agentConfig = AgentHelpers.WriteConfig($$"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: prometheus
                static_configs:
                  - targets: ['127.0.0.1:{{prom.Port}}']
            """);
        await using var mc = await MetricsClusterProcess.StartAsync("--agent.config.file=" + agentConfig, "--agent.tenant=" + Tenant);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        // Both have scraped at least once: Prometheus' own up series and ours (the agent's copy of the same target).
        await AgentHelpers.WaitUntilAsync(async () => (await AgentHelpers.QueryAsync(http, prom.BaseUri, "up", null, prefix: string.Empty)).Count == 1, "Prometheus scraped itself");
        await AgentHelpers.WaitUntilAsync(async () => (await AgentHelpers.QueryAsync(http, mc.BaseUri, "up", Tenant)).Count == 1, "our agent scraped Prometheus");

        string[] paths =
        [
            "/api/v1/status/config",
            "/api/v1/status/runtimeinfo",
            "/api/v1/status/tsdb",
            "/api/v1/rules",
            "/api/v1/alerts",
            "/api/v1/targets",
            "/api/v1/format_query?query=foo%20%2B",
            "/api/v1/query?query=up&stats=all",
        ];
        var failures = new List<string>();
        foreach (string path in paths)
        {
            var (theirStatus, theirs, theirRaw) = await QueryApi.GetAsync(http, prom.BaseUri, path, null);
            var (ourStatus, ours, ourRaw) = await QueryApi.GetAsync(http, mc.BaseUri, "/prometheus" + path, Tenant);
            if (theirStatus != ourStatus || theirs is null || ours is null)
            {
                failures.Add($"{path}: status {ourStatus} vs Prometheus' {theirStatus}: {ourRaw} | {theirRaw}");
                continue;
            }

            failures.AddRange(ShapeDiff(path, theirs.RootElement, ours.RootElement));
        }

        // Flags differ by name (they are each binary's own), so only the shape "object of strings" is compared.
        var (_, theirFlags, _) = await QueryApi.GetAsync(http, prom.BaseUri, "/api/v1/status/flags", null);
        var (_, ourFlags, _) = await QueryApi.GetAsync(http, mc.BaseUri, "/prometheus/api/v1/status/flags", Tenant);
        foreach (var flags in new[] { theirFlags!, ourFlags! })
        {
            Assert.Equal("success", flags.RootElement.GetProperty("status").GetString());
            Assert.All(flags.RootElement.GetProperty("data").EnumerateObject(), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));
        }

        // The same error text for the same bad query, not just the same shape.
        Assert.Equal(
            (await QueryApi.GetAsync(http, prom.BaseUri, "/api/v1/format_query?query=foo%20%2B", null)).Raw,
            (await QueryApi.GetAsync(http, mc.BaseUri, "/prometheus/api/v1/format_query?query=foo%20%2B", Tenant)).Raw);

        // Federation: the same families and label sets for the same target's series, in the same text layout.
        const string federate = "/federate?match[]=up&match[]=prometheus_build_info";
        var theirText = Federated((await QueryApi.GetAsync(http, prom.BaseUri, federate, null)).Raw);
        var ourText = Federated((await QueryApi.GetAsync(http, mc.BaseUri, "/prometheus" + federate, Tenant)).Raw);
        Assert.Equal(theirText, ourText);

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The federated text with sample values and timestamps replaced by their kind, and the instance port dropped.</summary>
    private static string[] Federated(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.StartsWith('#') ? l : SampleLine().Replace(l, "$1 <value> <timestamp>"))
            .ToArray();

    /// <summary>Where the key sets or value kinds of <paramref name="ours"/> differ from <paramref name="theirs"/>.</summary>
    private static IEnumerable<string> ShapeDiff(string path, JsonElement theirs, JsonElement ours)
    {
        if (theirs.ValueKind != ours.ValueKind && !(IsBool(theirs) && IsBool(ours)))
        {
            yield return $"{path}: {ours.ValueKind}, Prometheus has {theirs.ValueKind}";
            yield break;
        }

        if (theirs.ValueKind == JsonValueKind.Object)
        {
            var theirKeys = theirs.EnumerateObject().Select(p => p.Name).ToHashSet();
            var ourKeys = ours.EnumerateObject().Select(p => p.Name).ToHashSet();

            // Label maps hold data, not schema: their keys are values.
            if (!IsLabelMap(path))
            {
                foreach (string missing in theirKeys.Except(ourKeys))
                {
                    yield return $"{path}: no key {missing}";
                }

                foreach (string extra in ourKeys.Except(theirKeys))
                {
                    yield return $"{path}: extra key {extra}";
                }
            }

            foreach (string k in theirKeys.Intersect(ourKeys))
            {
                foreach (string d in ShapeDiff(path + "." + k, theirs.GetProperty(k), ours.GetProperty(k)))
                {
                    yield return d;
                }
            }
        }
        else if (theirs.ValueKind == JsonValueKind.Array && theirs.GetArrayLength() > 0 && ours.GetArrayLength() > 0)
        {
            foreach (string d in ShapeDiff(path + "[0]", theirs[0], ours[0]))
            {
                yield return d;
            }
        }
        else if (theirs.ValueKind == JsonValueKind.Array && theirs.GetArrayLength() != ours.GetArrayLength() && (theirs.GetArrayLength() == 0 || ours.GetArrayLength() == 0))
        {
            yield return $"{path}: {ours.GetArrayLength()} items, Prometheus has {theirs.GetArrayLength()}";
        }
    }

    private static bool IsBool(JsonElement e) => e.ValueKind is JsonValueKind.True or JsonValueKind.False;

    private static bool IsLabelMap(string path) => path.EndsWith("Labels", StringComparison.Ordinal) || path.EndsWith(".labels", StringComparison.Ordinal);

    [GeneratedRegex(@"^(\S+) \S+ \S+$")]
    private static partial Regex SampleLine();
}
