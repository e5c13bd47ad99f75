using System.Globalization;
using System.Text.RegularExpressions;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The ruler on the Orleans engine (issue 17, "Cluster"): two rulers share 51 groups of 3 tenants. Every group is
/// evaluated once per slot (counted from both rulers' evaluation metrics and from the recorded samples); after a
/// kill -9 of one ruler its groups resume on the other within failure detection plus one sync, no slot is evaluated
/// twice, and a firing alert is firing again after the move without waiting its <c>for</c> anew.
/// </summary>
public sealed partial class RulerClusterTests : IDisposable
{
    private const int GroupsPerTenant = 17;
    private const long IntervalMs = 2000;
    private static readonly string[] s_tenants = ["ruler-t1", "ruler-t2", "ruler-t3"];
    private static readonly TimeSpan s_generous = TimeSpan.FromSeconds(180);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Every_group_is_evaluated_once_per_slot_and_a_killed_rulers_groups_resume_elsewhere()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Rulers = 2,

            // Restores apply to alerts whose 'for' is at least the grace period (Prometheus skips shorter ones).
            RulerArgs = ["--ruler.poll-interval=5s", "--ruler.for-grace-period=10s"],
        });
        var ruler0 = cluster.Rulers[0];
        foreach (string tenant in s_tenants)
        {
            for (int i = 0; i < GroupsPerTenant; i++)
            {
                var (status, body) = await RulerApi.PostGroupAsync(_http, ruler0.BaseUri, tenant, "ns", GroupYaml(i));
                Assert.True(status == 202, $"config API answered {status}: {body}");
            }
        }

        // An alert that fires with 'for: 30s', in a group of its own.
        var (s, b) = await RulerApi.PostGroupAsync(_http, ruler0.BaseUri, s_tenants[0], "alerts", """
            name: always
            interval: 2s
            rules:
              - alert: AlwaysOn
                expr: vector(1)
                for: 30s
            """);
        Assert.True(s == 202, b);

        // Every group gets evaluated, and both rulers evaluate some (hash placement).
        await Poll.UntilAsync(async () =>
        {
            var counts = await EvaluationsAsync(cluster.Rulers);
            int groups = counts.Count(c => c.Value >= 5);
            return groups == (GroupsPerTenant * s_tenants.Length) + 1 ? null : $"{groups} groups evaluated 5 times";
        }, s_generous, "every group evaluated");
        var perRuler = await Task.WhenAll(cluster.Rulers.Select(r => EvaluationsAsync([r])));
        Assert.All(perRuler, p => Assert.NotEmpty(p));
        await Poll.UntilAsync(async () => await FiringAsync(ruler0) ? null : "AlwaysOn not firing", s_generous, "the alert firing");

        // Kill the ruler that evaluates the alert's group, so its state has to move.
        const string alertGroup = "ruler-t1|alerts;always";
        var owners = await Task.WhenAll(cluster.Rulers.Select(async r => (Ruler: r, Counts: await EvaluationsAsync([r]))));
        var victim = owners.Single(o => o.Counts.GetValueOrDefault(alertGroup) > 0).Ruler;
        var survivor = cluster.Rulers.Single(r => r != victim);
        var victimCounts = await EvaluationsAsync([victim]);
        var killedAt = DateTimeOffset.UtcNow;
        victim.Kill9();

        // Its groups resume on the survivor: each gets new evaluations after the kill.
        var atKill = await EvaluationsAsync([survivor]);
        await Poll.UntilAsync(async () =>
        {
            var now = await EvaluationsAsync([survivor]);
            int resumed = victimCounts.Keys.Count(k => now.GetValueOrDefault(k) >= atKill.GetValueOrDefault(k) + 3);
            return resumed == victimCounts.Count ? null : $"{resumed} of the killed ruler's {victimCounts.Count} groups resumed";
        }, s_generous, "the killed ruler's groups resuming");
        var resumedAfter = DateTimeOffset.UtcNow - killedAt;

        // The firing alert's state moved too: firing again at once, not after another 30s of pending.
        try
        {
            await Poll.UntilAsync(
                async () => await FiringAsync(survivor) ? null : $"AlwaysOn not firing: {string.Join(", ", (await RulerApi.AlertsAsync(_http, survivor.BaseUri, s_tenants[0])).Select(a => a.ToString()))}",
                TimeSpan.FromSeconds(20),
                "the alert firing after the move");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + cluster.Logs(), e);
        }

        // Stop evaluating (delete every group), let the counters settle, and compare them with the samples.
        foreach (string tenant in s_tenants)
        {
            foreach (string ns in tenant == s_tenants[0] ? new[] { "ns", "alerts" } : ["ns"])
            {
                using var req = new HttpRequestMessage(HttpMethod.Delete, new Uri(survivor.BaseUri, "/prometheus/config/v1/rules/" + ns));
                req.Headers.Add("X-Scope-OrgID", tenant);
                using var resp = await _http.SendAsync(req);
                Assert.Equal(202, (int)resp.StatusCode);
            }
        }

        Dictionary<string, double> settled = [];
        await Poll.UntilAsync(async () =>
        {
            var before = await EvaluationsAsync([survivor]);
            await Task.Delay(TimeSpan.FromMilliseconds(3 * IntervalMs));
            settled = await EvaluationsAsync([survivor]);
            return before.Count == settled.Count && before.All(kv => settled[kv.Key] == kv.Value) ? null : "still evaluating";
        }, s_generous, "evaluation stopped");

        // Each slot at most once: distinct recorded timestamps of a group = its evaluations on the survivor plus those
        // the victim made before the kill (its last counter read can miss at most the one evaluation it ran after it).
        foreach (string tenant in s_tenants)
        {
            for (int i = 0; i < GroupsPerTenant; i++)
            {
                string key = $"{tenant}|ns;g{i}";
                double evaluations = settled.GetValueOrDefault(key) + victimCounts.GetValueOrDefault(key);
                var stamps = await RecordedTimestampsAsync(cluster.Querier, tenant, i);
                Assert.True(
                    stamps.Count >= evaluations && stamps.Count <= evaluations + 1,
                    $"{key}: {stamps.Count} recorded slots for {evaluations} counted evaluations (a slot evaluated twice would make it fewer)\n{cluster.Logs()}");
                Assert.All(stamps, t => Assert.Equal(0, (t - stamps[0]) % IntervalMs));
                long maxGap = stamps.Zip(stamps.Skip(1), (a, c) => c - a).DefaultIfEmpty(0).Max();
                Assert.True(maxGap <= resumedAfter.TotalMilliseconds + (2 * IntervalMs), $"{key}: a gap of {maxGap} ms; the groups resumed {resumedAfter} after the kill");
            }
        }
    }

    private static string GroupYaml(int i) => $"""
        name: g{i}
        interval: 2s
        rules:
          - record: rec_g{i}
            expr: vector({i})
        """;

    private async Task<bool> FiringAsync(MetricsClusterProcess ruler) =>
        (await RulerApi.AlertsAsync(_http, ruler.BaseUri, s_tenants[0])).Any(a => a.GetProperty("state").GetString() == "firing");

    // cortex_prometheus_rule_evaluations_total by "tenant|namespace;group", summed over the rulers given.
    private async Task<Dictionary<string, double>> EvaluationsAsync(IEnumerable<MetricsClusterProcess> rulers)
    {
        var sum = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var r in rulers)
        {
            string text = await _http.GetStringAsync(new Uri(r.BaseUri, "/metrics"));
            foreach (Match m in EvaluationLine().Matches(text))
            {
                string key = $"{m.Groups["user"].Value}|{m.Groups["group"].Value}";
                sum[key] = sum.GetValueOrDefault(key) + double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    private async Task<List<long>> RecordedTimestampsAsync(MetricsClusterProcess via, string tenant, int group)
    {
        string q = Uri.EscapeDataString($"rec_g{group}[10m]");
        var (status, json, raw) = await QueryApi.GetAsync(_http, via.BaseUri, $"/prometheus/api/v1/query?query={q}", tenant);
        Assert.True(status == 200 && json is not null, raw);
        using (json)
        {
            var result = json!.RootElement.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 0
                ? []
                : result[0].GetProperty("values").EnumerateArray().Select(v => (long)Math.Round(v[0].GetDouble() * 1000)).Distinct().Order().ToList();
        }
    }

    [GeneratedRegex("""^cortex_prometheus_rule_evaluations_total\{(?=[^}]*rule_group="(?<group>[^"]*)")(?=[^}]*user="(?<user>[^"]*)")[^}]*\} (?<v>\S+)""", RegexOptions.Multiline)]
    private static partial Regex EvaluationLine();
}
