using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MetricsCluster.EndToEnd.Tests.Infra;
using MetricsCluster.EndToEnd.Tests.Infra.PromQLComparison;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// Runs every query of Infra/PromQLComparison/queries.txt against the real Prometheus 2.42 and against
/// metrics-cluster, both loaded with the same data, and compares the answers.
/// <para>
/// PROMQL_COMPARE_CANDIDATE selects the candidate side: unset or <c>metrics-cluster</c> (normal), <c>prometheus</c>
/// (a second Prometheus: harness self-test, every query must match) or <c>prometheus-broken</c> (a second
/// Prometheus queried 60 s / one step later: the comparator must report mismatches).
/// </para>
/// <para>
/// Run alone: <c>dotnet test tests/EndToEnd.Tests -c Release --filter Category=PromQLComparison</c>; the report of
/// every mismatch is written to promql-comparison-report.txt next to the test assembly.
/// </para>
/// <para>
/// PROMQL_COMPARE_MC_ARGS adds space-separated flags to metrics-cluster, e.g.
/// <c>--query-frontend.split-queries-by-interval=10m</c> so the one hour of data is split by the query-frontend.
/// </para>
/// </summary>
public sealed class PromQLComparisonTests
{
    private const string Tenant = "promql-compare";
    private const int Concurrency = 4;
    private readonly ITestOutputHelper _output;

    public PromQLComparisonTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static string[] ExtraArgs() =>
        (Environment.GetEnvironmentVariable("PROMQL_COMPARE_MC_ARGS") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    [Trait("Category", "PromQLComparison")]
    public Task Every_comparison_query_answers_like_Prometheus() => CompareAsync(ExtraArgs(), expectSharding: false);

    /// <summary>
    /// The same comparison with the query-frontend sharding every shardable part into 3 shards and splitting the
    /// hour of data by 20 minutes, so each query's shards, splits and the frontend's combining engine all take part.
    /// </summary>
    [Fact]
    [Trait("Category", "PromQLComparison")]
    public Task Every_comparison_query_answers_like_Prometheus_through_query_sharding() => CompareAsync(
        ["--query-frontend.parallelize-shardable-queries=true", "--query-frontend.query-sharding-total-shards=3",
         "--query-frontend.split-queries-by-interval=20m", .. ExtraArgs()], expectSharding: true);

    private async Task CompareAsync(string[] mcArgs, bool expectSharding)
    {
        string mode = Environment.GetEnvironmentVariable("PROMQL_COMPARE_CANDIDATE") is { Length: > 0 } m ? m : "metrics-cluster";
        Assert.Contains(mode, new[] { "metrics-cluster", "prometheus", "prometheus-broken" });
        var clock = Stopwatch.StartNew();
        var data = ComparisonData.Create(DateTimeOffset.UtcNow);
        var queries = ComparisonQueries.Load(data);
        Assert.True(queries.Count >= 220, $"only {queries.Count} queries");

        await using var reference = await StartPrometheusAsync();
        await using var candidatePrometheus = mode == "metrics-cluster" ? null : await StartPrometheusAsync();
        await using var mc = mode == "metrics-cluster"
            ? await MetricsClusterProcess.StartAsync(["--distributor.ingestion-rate-limit=100000000", "--distributor.ingestion-burst-size=100000000", .. mcArgs])
            : null;
        var expected = QueryTarget.Prometheus("prometheus", reference.BaseUri);
        var actual = mc is not null ? QueryTarget.MetricsCluster(mc.BaseUri, Tenant) : QueryTarget.Prometheus(mode, candidatePrometheus!.BaseUri);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        await Task.WhenAll(expected.PushAllAsync(http, data.Bodies()), actual.PushAllAsync(http, data.Bodies()));
        Assert.Null(await WaitForAllSeriesAsync(http, expected, data));
        if (await WaitForAllSeriesAsync(http, actual, data) is { } notReady)
        {
            _output.WriteLine($"{actual.Name} did not show all series: {notReady}; comparing anyway");
        }

        _output.WriteLine($"loaded {data.Series.Count} series into both in {clock.Elapsed.TotalSeconds:0.0}s; data {data.StartSec}..{data.EndSec}");
        bool broken = mode == "prometheus-broken";
        long[] times = [data.StartSec + 600, data.StartSec + 1830, data.EndSec - 60];
        var mismatches = new ConcurrentBag<(int Index, string Text)>();
        var referenceErrors = new ConcurrentDictionary<string, string>();
        int evaluations = 0, nonEmpty = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, queries.Count), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) =>
        {
            string q = queries[i];
            foreach (long t in times)
            {
                Record(i, q, $"instant @{t}", await expected.InstantAsync(http, q, t), await actual.InstantAsync(http, q, broken ? t + 60 : t));
            }

            int step = i % 2 == 0 ? 60 : 37;
            long start = data.StartSec - 120, end = data.EndSec + 120;
            Record(i, q, $"range {start}..{end} step {step}s", await expected.RangeAsync(http, q, start, end, step),
                await actual.RangeAsync(http, q, broken ? start + step : start, end, step));
        });

        string summary = $"{evaluations - mismatches.Count} of {evaluations} evaluations matched ({queries.Count} queries × {times.Length + 1}; " +
            $"{nonEmpty} reference answers non-empty) comparing {expected.Name} with {actual.Name} in {clock.Elapsed.TotalSeconds:0.0}s";
        _output.WriteLine(summary);
        foreach (var (query, error) in referenceErrors.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            _output.WriteLine($"prometheus rejects (expected only in the Errors section): {query}: {Truncate(error)}");
        }

        if (expectSharding && mc is not null)
        {
            // The comparison only means something if the frontend did shard (many of the queries hold a sum, max...).
            string metrics = await http.GetStringAsync(new Uri(mc.BaseUri, "/metrics"));
            string line = metrics.Split('\n').Single(l => l.StartsWith("metricscluster_query_frontend_query_sharding_rewrites_succeeded_total ", StringComparison.Ordinal));
            _output.WriteLine(line);
            Assert.True(double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture) >= 40, line);
        }

        if (!mismatches.IsEmpty)
        {
            var report = new StringBuilder(summary).AppendLine();
            foreach (var (_, text) in mismatches.OrderBy(x => x.Index))
            {
                report.AppendLine(text);
            }

            string file = Path.Combine(AppContext.BaseDirectory, "promql-comparison-report.txt");
            await File.WriteAllTextAsync(file, report.ToString());
            string head = string.Join(Environment.NewLine, mismatches.OrderBy(x => x.Index).Take(40).Select(x => x.Text));
            Assert.Fail($"{mismatches.Count} mismatches; full report in {file}\n{summary}\n{head}");
        }

        void Record(int index, string query, string how, QueryAnswer want, QueryAnswer got)
        {
            Interlocked.Increment(ref evaluations);
            if (want.Status == "success" && want.Series.Count > 0)
            {
                Interlocked.Increment(ref nonEmpty);
            }
            else if (want.Status != "success")
            {
                referenceErrors.TryAdd($"{query} [{how.Split(' ')[0]}]", want.Raw);
            }

            if (AnswerComparer.Difference(query, want, got) is { } why)
            {
                mismatches.Add((index, $"- [{how}] {query}\n    {why}\n    {expected.Name}: {Truncate(want.Raw)}\n    {actual.Name}: {Truncate(got.Raw)}"));
            }
        }
    }

    private static Task<PrometheusProcess> StartPrometheusAsync() =>
        PrometheusProcess.StartAsync("global:\n  scrape_interval: 15s\n# No scrape jobs: the only input is remote write.\n", "--web.enable-remote-write-receiver");

    /// <summary>Polls until a count over the last 2 h sees every series; null when it did, else the last answer.</summary>
    private static async Task<string?> WaitForAllSeriesAsync(HttpClient http, QueryTarget target, ComparisonData data)
    {
        const string query = "count(last_over_time({__name__=~\".+\"}[2h]))";
        string want = data.Series.Count.ToString(CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var answer = await target.InstantAsync(http, query, data.EndSec);
            if (answer.Status == "success" && answer.Series.Count == 1 && answer.Series[0].Points[0].V == want)
            {
                return null;
            }

            // No query API at all (404, not JSON): waiting will not help.
            if (answer.HttpStatus == 404 || answer.Status is "unparsable" or "transport-error" || DateTime.UtcNow > deadline)
            {
                return $"{answer.HttpStatus} {Truncate(answer.Raw)}";
            }

            await Task.Delay(500);
        }
    }

    private static string Truncate(string s) => s.Length <= 400 ? s : string.Concat(s.AsSpan(0, 400), $"… ({s.Length} chars)");
}
