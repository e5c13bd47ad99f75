using System.Globalization;
using System.Text;
using MetricsCluster.PromQL.Engine;
using Xunit;

namespace MetricsCluster.QueryFrontend.Tests;

/// <summary>
/// Query sharding answers as the unsharded query: many queries × ranges × shard counts (1, 2, 3, 16) through the
/// real engine, split by day as well. Labels, timestamps, annotations and errors must be equal; values bit-exact,
/// except where the sharded sum adds the same numbers in another order (sum, avg, count of sums...): there the
/// two may differ in their last bits, and are compared to 1e-12 relative (see <see cref="Compare"/>).
/// </summary>
public sealed class ShardingEquivalenceTests : IClassFixture<ShardingHarness>
{
    private const long Hour = 3_600_000;
    private static readonly long s_midnight = ShardingHarness.Midnight;
    private readonly ShardingHarness _harness;

    public ShardingEquivalenceTests(ShardingHarness harness) => _harness = harness;

    /// <summary>(query, sharded: whether it must be rewritten, exact: whether values must be bit-exact).</summary>
    public static TheoryData<string, bool, bool> Queries() => new()
    {
        { "sum(rate(http_requests_total[5m]))", true, false },
        { "sum by (job) (rate(http_requests_total[5m]))", true, false },
        { "sum without (instance) (increase(http_requests_total[1h]))", true, false },
        { "sum by (g) (gauge)", true, false },
        { "min by (job) (gauge)", true, true },
        { "max without (instance, g) (gauge)", true, true },
        { "max(max_over_time(gauge[30m] offset 1h))", true, true },
        { "min(min_over_time(gauge[10m]))", true, true },
        { "count by (job) (sparse)", true, true },
        { "count(gauge > 50)", true, true },
        { "group by (g) (gauge)", true, true },
        { "group(sparse)", true, true },
        { "avg by (job) (gauge)", true, false },
        { "avg(avg_over_time(gauge[15m]))", true, false },
        { "sum by (job) (count_over_time(sparse[10m]))", true, true },
        { "sum(last_over_time(sparse[30m]))", true, true },
        { "max by (job) (sparse)", true, true },
        { "count(ends)", true, true },
        { "sum(rate(http_requests_total[5m] @ end()))", true, false },
        { "sum(gauge @ start())", true, false },
        { "max(gauge offset -10m)", true, true },
        { "sum(max_over_time(rate(http_requests_total[5m])[30m:1m]))", true, false },
        { "histogram_quantile(0.9, sum by (le) (rate(http_requests_total[5m])))", true, true },
        { "quantile(0.5, sum by (g) (gauge))", true, false },
        { "stddev(max by (instance) (gauge))", true, false },
        { "label_replace(sum by (g) (gauge), \"h\", \"$1\", \"g\", \"g(.*)\")", true, false },
        { "sum by (g) (rate(http_requests_total[5m])) / on (g) group_left count by (g) (gauge)", true, false },
        { "sum(gauge) / sum(gauge)", true, false },
        { "sum by (job) (gauge) > 2400", true, false },
        { "max by (job) (gauge) - on (job) gauge{instance=\"00\"}", true, true },
        { "absent(sum(nonexistent))", true, true },
        { "sum(rate(gauge[5m]))", true, false },

        // An info annotation raised inside the second shard query, whose position must map back to the user's query.
        { "max(gauge) - sum(rate(gauge[5m]))", true, false },
        { "topk(2, sum by (job) (gauge))", false, true },
        { "quantile(0.9, gauge)", false, true },
        { "rate(http_requests_total[5m])", false, true },
        { "sum(gauge * on (instance) group_left http_requests_total)", false, true },
        { "http_requests_total + on (job) gauge", false, true },
    };

    /// <summary>(start, end, step, split interval): within a day, across midnight, unaligned, coarse, fine, one step.</summary>
    private static readonly (long Start, long End, long Step, long Interval)[] s_ranges =
    [
        (s_midnight - 6 * Hour, s_midnight + 6 * Hour, 60_000, EngineHarness.Day),
        (s_midnight - 3 * Hour + 7_777, s_midnight + 2 * Hour, 45_000, Hour),
        (s_midnight - 20 * Hour, s_midnight + 20 * Hour, 10 * 60_000, 0),
        (s_midnight - 30 * 60_000, s_midnight - 30 * 60_000, 60_000, EngineHarness.Day),
    ];

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task A_sharded_query_answers_as_the_unsharded_one(string query, bool sharded, bool exact)
    {
        foreach (var (start, end, step, interval) in s_ranges)
        {
            var unsharded = await _harness.Engine.RangeQueryAsync(_harness.Storage, "t", query, start, end, step, CancellationToken.None);
            foreach (int shards in new[] { 1, 2, 3, 16 })
            {
                var downstream = new RecordingDownstream(_harness.Engine, _harness.Storage);
                var frontend = new QueryFrontendRunner(
                    new QueryFrontendOptions
                    {
                        SplitQueriesByInterval = TimeSpan.FromMilliseconds(interval),
                        MaxQueryParallelism = 3,
                        ParallelizeShardableQueries = true,
                        QueryShardingTotalShards = shards,
                        QueryShardingMaxShardedQueries = 0,
                    },
                    downstream);
                var result = await frontend.RangeQueryAsync("t", query, start, end, step, CancellationToken.None);

                string what = $"{query} [{start}, {end}, {step}] in {shards} shards";
                Compare(unsharded, result, exact, what);
                bool rewritten = sharded && shards > 1;
                Assert.True(rewritten == downstream.Queries.Any(q => q.Contains("__query_shard__", StringComparison.Ordinal)), what);
                Assert.Equal(rewritten ? 1 : 0, frontend.Counters.ShardingSuccesses);
                if (rewritten)
                {
                    Assert.Contains(downstream.Queries, q => q.Contains($"\"{shards}_of_{shards}\"", StringComparison.Ordinal));
                    Assert.Equal(downstream.Queries.Count, frontend.Counters.ShardedQueries);
                }
            }
        }
    }

    /// <summary>
    /// Instant queries shard as range queries do. An instant vector's order is not part of the answer (Prometheus
    /// returns aggregations in no set order, and none of these queries sorts), so samples are compared by labels.
    /// </summary>
    [Theory]
    [MemberData(nameof(Queries))]
    public async Task A_sharded_instant_query_answers_as_the_unsharded_one(string query, bool sharded, bool exact)
    {
        foreach (long time in new[] { s_midnight, s_midnight - 6 * Hour + 7_777, s_midnight + 20 * Hour })
        {
            var unsharded = await _harness.Engine.InstantQueryAsync(_harness.Storage, "t", query, time, CancellationToken.None);
            foreach (int shards in new[] { 1, 2, 3, 16 })
            {
                var downstream = new RecordingDownstream(_harness.Engine, _harness.Storage);
                var frontend = new QueryFrontendRunner(
                    new QueryFrontendOptions { MaxQueryParallelism = 3, ParallelizeShardableQueries = true, QueryShardingTotalShards = shards, QueryShardingMaxShardedQueries = 0 },
                    downstream);
                var result = await frontend.InstantQueryAsync("t", query, time, CancellationToken.None);

                string what = $"{query} at {time} in {shards} shards";
                Assert.True(Equals(unsharded.Error, result.Error), $"{what}: error {unsharded.Error} vs {result.Error}");
                Assert.True(unsharded.Warnings.SequenceEqual(result.Warnings), $"{what}: warnings [{string.Join("; ", unsharded.Warnings)}] vs [{string.Join("; ", result.Warnings)}]");
                Assert.True(unsharded.Infos.SequenceEqual(result.Infos), $"{what}: infos [{string.Join("; ", unsharded.Infos)}] vs [{string.Join("; ", result.Infos)}]");
                if (unsharded.Error is not null)
                {
                    continue;
                }

                var want = Assert.IsType<VectorValue>(unsharded.Value).Samples.OrderBy(x => x.Metric.ToString(), StringComparer.Ordinal).ToList();
                var got = Assert.IsType<VectorValue>(result.Value).Samples.OrderBy(x => x.Metric.ToString(), StringComparer.Ordinal).ToList();
                Assert.True(want.Select(x => (x.Metric.ToString(), x.T)).SequenceEqual(got.Select(x => (x.Metric.ToString(), x.T))), $"{what}: series or times differ");
                for (int i = 0; i < want.Count; i++)
                {
                    double a = want[i].F, b = got[i].F;
                    bool same = BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b)
                        || (!exact && (a.Equals(b) || (double.IsNaN(a) && double.IsNaN(b)) || Math.Abs(a - b) <= 1e-12 * Math.Max(Math.Abs(a), Math.Abs(b))));
                    Assert.True(same, $"{what}: {want[i].Metric}: {a:R} vs {b:R}");
                }

                bool rewritten = sharded && shards > 1;
                Assert.True(rewritten == downstream.Queries.Any(q => q.Contains("__query_shard__", StringComparison.Ordinal)), what);
                Assert.Equal(rewritten ? 1 : 0, frontend.Counters.ShardingSuccesses);
                if (rewritten)
                {
                    Assert.Equal(downstream.Queries.Count, frontend.Counters.ShardedQueries);
                }
            }
        }
    }

    [Fact]
    public async Task The_answers_compared_are_not_empty()
    {
        var r = await _harness.Engine.RangeQueryAsync(_harness.Storage, "t", "count by (job) (sparse)", s_midnight - 6 * Hour, s_midnight + 6 * Hour, 60_000, CancellationToken.None);
        var series = Assert.IsType<MatrixValue>(r.Value).Series;
        Assert.Equal(4, series.Count);
        Assert.Contains(series, s => s.Floats.Count < 721);

        // The sparse series come and go: the counts vary, so a value carried past a gap would show.
        Assert.True(series.SelectMany(s => s.Floats).Select(p => p.F).Distinct().Count() > 2);
    }

    [Fact]
    public async Task The_instant_answers_compared_are_not_empty()
    {
        var r = await _harness.Engine.InstantQueryAsync(_harness.Storage, "t", "sum by (job) (rate(http_requests_total[5m]))", s_midnight - 6 * Hour + 7_777, CancellationToken.None);
        Assert.True(Assert.IsType<VectorValue>(r.Value).Samples.Count > 1);
    }

    [Fact]
    public async Task Nothing_is_sharded_when_the_engine_delays_name_removal()
    {
        var downstream = new RecordingDownstream(_harness.Engine, _harness.Storage);
        var frontend = new QueryFrontendRunner(
            new QueryFrontendOptions { ParallelizeShardableQueries = true, QueryShardingTotalShards = 4 },
            downstream,
            engineOptions: new EngineOptions { DelayedNameRemoval = true });
        var r = await frontend.RangeQueryAsync("t", "sum(gauge)", s_midnight - Hour, s_midnight + Hour, 60_000, CancellationToken.None);

        Assert.Null(r.Error);
        Assert.Equal(0, frontend.Counters.ShardingSuccesses);
        Assert.DoesNotContain(downstream.Queries, q => q.Contains("__query_shard__", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stale_marker_follows_every_point_whose_next_step_has_none()
    {
        // Without them the frontend's engine would carry a shard series' last value up to 5 minutes into its gap.
        var q = new Sharding.EmbeddedResultsQueryable(new Dictionary<string, IReadOnlyList<QueryResult>>(), end: 10_000, step: 1_000);
        var samples = q.WithStaleMarkers([new FPoint(1_000, 1), new FPoint(2_000, 2), new FPoint(5_000, 5), new FPoint(10_000, 10)]);
        Assert.Equal(
            [(1_000L, "1"), (2_000, "2"), (3_000, "stale"), (5_000, "5"), (6_000, "stale"), (10_000, "10")],
            samples.Select(s => (s.T, Core.StaleMarker.Is(s.V) ? "stale" : s.V.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>
    /// Equal errors, annotations, label sets and timestamps; values bit-exact when <paramref name="exact"/>, else
    /// equal bit for bit or within 1e-12 relative (the sharded sum adds partial sums: another summation order).
    /// NaN equals NaN; infinities must match.
    /// </summary>
    private static void Compare(QueryResult want, QueryResult got, bool exact, string what)
    {
        Assert.True(Equals(want.Error, got.Error), $"{what}: error {want.Error} vs {got.Error}");
        Assert.True(want.Warnings.SequenceEqual(got.Warnings), $"{what}: warnings [{string.Join("; ", want.Warnings)}] vs [{string.Join("; ", got.Warnings)}]");
        Assert.True(want.Infos.SequenceEqual(got.Infos), $"{what}: infos [{string.Join("; ", want.Infos)}] vs [{string.Join("; ", got.Infos)}]");
        if (exact)
        {
            Assert.True(Text(want) == Text(got), $"{what}: not bit-exact\n{Text(want)}\nvs\n{Text(got)}");
            return;
        }

        var w = Assert.IsType<MatrixValue>(want.Value).Series;
        var g = Assert.IsType<MatrixValue>(got.Value).Series;
        Assert.True(w.Select(s => s.Metric.ToString()).SequenceEqual(g.Select(s => s.Metric.ToString())), $"{what}: series differ");
        for (int i = 0; i < w.Count; i++)
        {
            Assert.True(w[i].Floats.Select(p => p.T).SequenceEqual(g[i].Floats.Select(p => p.T)), $"{what}: timestamps of {w[i].Metric} differ");
            for (int j = 0; j < w[i].Floats.Count; j++)
            {
                double a = w[i].Floats[j].F, b = g[i].Floats[j].F;
                bool same = a.Equals(b) || (double.IsNaN(a) && double.IsNaN(b)) || Math.Abs(a - b) <= 1e-12 * Math.Max(Math.Abs(a), Math.Abs(b));
                Assert.True(same, $"{what}: {w[i].Metric} at {w[i].Floats[j].T}: {a:R} vs {b:R}");
            }
        }
    }

    private static string Text(QueryResult r)
    {
        var sb = new StringBuilder();
        foreach (var s in (r.Value as MatrixValue)?.Series ?? [])
        {
            sb.Append(s.Metric).Append(':');
            foreach (var p in s.Floats)
            {
                sb.Append(' ').Append(p.T.ToString(CultureInfo.InvariantCulture)).Append('=').Append(BitConverter.DoubleToInt64Bits(p.F).ToString("x16", CultureInfo.InvariantCulture));
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
