using System.Globalization;
using System.Text.Json;
using MetricsCluster.Core.Wire.Prompb;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// Parity with Prometheus 2.42 (issue 17): the same rule file loaded into both (ours through the config API, with the
/// file's path as namespace so both place the group on the same evaluation slots), the same input remote-written to
/// both; recorded series and <c>ALERTS</c> agree sample for sample at the timestamps both evaluated, and the alerts'
/// labels and annotations (templates) are identical.
/// </summary>
public sealed class RulerParityTests : IDisposable
{
    private const string Tenant = "parity";
    private const string Group = """
        name: parity
        interval: 1s
        rules:
          - record: instance:requests:rate30s
            expr: rate(requests_total[30s])
          - record: job:probe:avg
            expr: avg by (job) (probe)
            labels:
              source: ruler
          - alert: ProbeDown
            expr: probe == 0
            for: 5s
            labels:
              severity: '{{ if eq $labels.instance "a" }}page{{ else }}ticket{{ end }}'
            annotations:
              summary: '{{ $labels.instance }} down, value {{ $value }} ({{ $value | humanize }})'
              detail: '{{ printf "%.3f" $value }} {{ humanizeDuration 3723 }} {{ humanizePercentage 0.4567 }} {{ humanize1024 2048 }} {{ $externalLabels.cluster }} {{ $externalURL }}'
              total: '{{ with query "count(probe == 0)" }}{{ . | first | value }}{{ end }}'
              title: '{{ title "hello world" }} {{ toUpper "x" }} {{ reReplaceAll "(a)" "[$1]" "banana" }} {{ len $labels }}'
        """;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Recorded_series_ALERTS_and_alert_templates_match_Prometheus()
    {
        string dir = Repo.TempDir("ruler-parity");
        string rulesFile = Path.Combine(dir, "parity-rules.yml");
        await File.WriteAllTextAsync(rulesFile, AsRuleFile(Group));
        await using var prom = await PrometheusProcess.StartAsync(
            $"global:\n  evaluation_interval: 1s\n  external_labels:\n    cluster: eu\nrule_files:\n  - {rulesFile}\n",
            "--web.enable-remote-write-receiver",
            "--web.external-url=http://example.com");
        await using var mc = await MetricsClusterProcess.StartAsync("--ruler.external-labels=cluster=eu", "--ruler.external.url=http://example.com");
        var (status, body) = await RulerApi.PostGroupAsync(_http, mc.BaseUri, Tenant, rulesFile, Group);
        Assert.True(status == 202, $"config API answered {status}: {body}");

        // The whole input up front, to both, with timestamps reaching into the future: whenever either evaluates a
        // slot, both hold the same data for it. Instances go down 20 s from now and come back 40 s later.
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000;
        long down = now + 20_000, up = now + 60_000, end = now + 75_000;
        byte[] input = RemoteWrite.Body([.. Input(now - 60_000, end + 10_000, down, up)]);
        var (ps, pb) = await RemoteWrite.PostAsync(_http, prom.BaseUri, input, null, path: "/api/v1/write");
        Assert.True(ps is 200 or 204, $"Prometheus answered {ps}: {pb}");
        var (ms, mb) = await RemoteWrite.PostAsync(_http, mc.BaseUri, input, Tenant);
        Assert.True(ms == 200, $"we answered {ms}: {mb}");

        // While the alerts fire, both show the same alerts: labels, annotations (every template), state, active since.
        // Annotations are those of each one's latest evaluation, and the two are read a moment apart: every template
        // gives the same text at every slot of the down window (the query one counts the down instances), so the
        // two agree whichever slot each evaluated last.
        await WaitUntilAsync(down + 12_000);
        var ours = Canonical(await RulerApi.AlertsAsync(_http, mc.BaseUri, Tenant));
        var theirs = Canonical(await PromAlertsAsync(prom.BaseUri));
        Assert.NotEmpty(theirs);
        Assert.True(theirs.SequenceEqual(ours), $"Prometheus' alerts:\n{string.Join('\n', theirs)}\nours:\n{string.Join('\n', ours)}");

        await WaitUntilAsync(end);
        foreach (string metric in new[] { "instance:requests:rate30s", "job:probe:avg", "ALERTS", "ALERTS_FOR_STATE" })
        {
            var p = await RawAsync(prom.BaseUri, null, metric, end);
            var o = await RawAsync(mc.BaseUri, Tenant, metric, end);
            Assert.Equal(p.Keys.Order(), o.Keys.Order());
            foreach (var (series, promSamples) in p)
            {
                var ourSamples = o[series];

                // Over the time both evaluated, the same slots with the same values.
                long from = Math.Max(promSamples.Keys.Min(), ourSamples.Keys.Min()), to = Math.Min(promSamples.Keys.Max(), ourSamples.Keys.Max());
                var pw = promSamples.Where(kv => kv.Key >= from && kv.Key <= to).ToList();
                var ow = ourSamples.Where(kv => kv.Key >= from && kv.Key <= to).ToList();
                Assert.True(pw.Count >= 5, $"{series}: only {pw.Count} common samples");
                Assert.Equal(pw, ow);
            }
        }
    }

    // A Prometheus rule file holding the one group: the group's YAML as the first item of `groups`.
    private static string AsRuleFile(string group) =>
        "groups:\n" + string.Join('\n', group.Split('\n').Select((line, i) => (i == 0 ? "  - " : "    ") + line)) + "\n";

    private static IEnumerable<TimeSeries> Input(long from, long to, long down, long up)
    {
        foreach (string instance in new[] { "a", "b", "c" })
        {
            var probe = new List<(long, double)>();
            var requests = new List<(long, double)>();
            double total = 0;
            int seed = instance[0];
            for (long t = from; t <= to; t += 1000)
            {
                bool isDown = instance != "c" && t >= down && t < up;
                probe.Add((t, isDown ? 0 : 1 + (((t / 1000) + seed) % 3)));
                total += ((t / 1000) + seed) % 7;
                requests.Add((t, total));
            }

            yield return RemoteWrite.Series(probe, "__name__", "probe", "instance", instance, "job", "j");
            yield return RemoteWrite.Series(requests, "__name__", "requests_total", "instance", instance, "job", "j");
        }
    }

    private static async Task WaitUntilAsync(long ms)
    {
        var wait = DateTimeOffset.FromUnixTimeMilliseconds(ms) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            // The input is timed against the wall clock: this wait is for data time to pass, not for a condition.
            await Task.Delay(wait);
        }
    }

    private async Task<JsonElement[]> PromAlertsAsync(Uri prom)
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync(new Uri(prom, "/api/v1/alerts")));
        return doc.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray().Select(a => a.Clone()).ToArray();
    }

    private static List<string> Canonical(JsonElement[] alerts) => alerts
        .Select(a => string.Join(
            " | ",
            Pairs(a.GetProperty("labels")),
            Pairs(a.GetProperty("annotations")),
            a.GetProperty("state").GetString(),
            // Prometheus keeps the slot in nanoseconds, we in milliseconds (the precision of samples): equal to the ms.
            DateTimeOffset.Parse(a.GetProperty("activeAt").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
            a.GetProperty("value").GetString()))
        .Order(StringComparer.Ordinal)
        .ToList();

    private static string Pairs(JsonElement o) => string.Join(",", o.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}").Order(StringComparer.Ordinal));

    // Raw samples of every series of a metric in the 2 minutes before `at`: series → (timestamp ms → value text).
    private async Task<Dictionary<string, SortedDictionary<long, string>>> RawAsync(Uri baseUri, string? tenant, string metric, long at)
    {
        string path = "/api/v1/query?query=" + Uri.EscapeDataString(metric + "[2m]") + "&time=" + (at / 1000.0).ToString(CultureInfo.InvariantCulture);
        var (status, json, raw) = await QueryApi.GetAsync(_http, baseUri, tenant is null ? path : "/prometheus" + path, tenant);
        Assert.True(status == 200 && json is not null, raw);
        using (json)
        {
            return json!.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().ToDictionary(
                s => Pairs(s.GetProperty("metric")),
                s => new SortedDictionary<long, string>(s.GetProperty("values").EnumerateArray()
                    .ToDictionary(v => (long)Math.Round(v[0].GetDouble() * 1000), v => v[1].GetString()!)));
        }
    }
}
