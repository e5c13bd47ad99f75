using MetricsCluster.PromQL.Engine;
using Xunit;

namespace MetricsCluster.QueryFrontend.Tests;

/// <summary>Split by interval: the splits themselves, and answers identical to the unsplit query through the real engine.</summary>
public sealed class SplitByIntervalTests : IClassFixture<EngineHarness>
{
    private const long Hour = 3_600_000;
    private const long Day = EngineHarness.Day;
    private static readonly long s_midnight = EngineHarness.Midnight;
    private readonly EngineHarness _harness;

    public SplitByIntervalTests(EngineHarness harness) => _harness = harness;

    [Fact]
    public void Splits_end_at_the_last_step_before_each_midnight_and_cover_every_step_once()
    {
        static void Check(long start, long end, long step, long interval, params (long, long)[] expected)
        {
            var splits = QuerySplitter.Split(start, end, step, interval);
            Assert.Equal(expected, splits);
            var steps = splits.SelectMany(s => Steps(s.Start, s.End, step)).ToList();
            Assert.Equal(Steps(start, end, step), steps);
        }

        long m = s_midnight;
        Check(m - 2 * Hour, m + 2 * Hour, Hour, Day, (m - 2 * Hour, m - Hour), (m, m + 2 * Hour));
        // A step exactly at midnight belongs to the next day's split.
        Check(m - 90_000, m + 90_000, 30_000, Day, (m - 90_000, m - 30_000), (m, m + 90_000));
        // Unaligned start: the first split ends at the last step of the grid start + k*step before midnight.
        Check(m - 100_000, m + 100_000, 30_000, Day, (m - 100_000, m - 10_000), (m + 20_000, m + 100_000));
        // Mimir's saving: a lone last step joins the split before it.
        Check(m - 10 * 60_000, m, 60_000, Day, (m - 10 * 60_000, m));
        Check(m, m + Day, Hour, Day, (m, m + Day));
        Check(m - Day, m + Day + Hour, Hour, Day, (m - Day, m - Hour), (m, m + Day - Hour), (m + Day, m + Day + Hour));
        // A step longer than the interval: one split per step.
        Check(m, m + 4 * Hour, 2 * Hour, Hour, (m, m), (m + 2 * Hour, m + 4 * Hour));
        // Splitting disabled.
        Check(m, m + 3 * Day, Hour, 0, (m, m + 3 * Day));
        // Before 1970 the grid is still UTC midnights.
        Check(-Day - Hour, -Day + Hour, Hour, Day, (-Day - Hour, -Day - Hour), (-Day, -Day + Hour));
        Check(-Day - 2 * Hour, -Day + 2 * Hour, Hour, Day, (-Day - 2 * Hour, -Day - Hour), (-Day, -Day + 2 * Hour));
    }

    private static List<long> Steps(long start, long end, long step)
    {
        var list = new List<long>();
        for (long t = start; t <= end; t += step)
        {
            list.Add(t);
        }

        return list;
    }

    [Theory]
    [InlineData("foo", true)]
    [InlineData("rate(foo[5m] offset 1h)", true)]
    [InlineData("foo @ 1700000000", true)]
    [InlineData("foo @ start()", false)]
    [InlineData("sum(rate(foo[5m] @ end()))", false)]
    [InlineData("max_over_time(foo[1h:1m] @ end())", false)]
    [InlineData("foo(", false)]
    public void Queries_using_start_or_end_are_not_split(string query, bool splittable) =>
        Assert.Equal(splittable, QuerySplitter.CanSplit(query));

    public static TheoryData<string> Queries()
    {
        long m = s_midnight / 1000;
        return new TheoryData<string>
        {
            "http_requests_total",
            "rate(http_requests_total[5m])",
            "sum by (job) (rate(http_requests_total[5m]))",
            "increase(http_requests_total[1h])",
            "resets(http_requests_total[2h])",
            "avg_over_time(gauge[1h])",
            "max_over_time(gauge[30m] offset 1h)",
            "gauge offset 10m",
            "gauge offset -5m",
            "gauge - gauge offset 1d",
            "deriv(gauge[10m])",
            "quantile_over_time(0.9, gauge[1h])",
            "count_over_time(sparse[10m])",
            "sparse",
            "last_over_time(sparse[30m])",
            "absent_over_time(sparse[5m])",
            "ends_at_midnight",
            "timestamp(gauge)",
            "time()",
            "vector(1)",
            "absent(nonexistent)",
            "topk(1, gauge)",
            "label_replace(gauge, \"x\", \"$1\", \"instance\", \"(.*)\")",
            "max_over_time(rate(http_requests_total[5m])[30m:1m])",
            "avg_over_time(gauge[1h:7m] offset 3m)",
            $"gauge @ {m}",
            $"rate(http_requests_total[5m] @ {m})",
            $"sum(gauge @ {m + 86_400 - 30})",
            "gauge @ start()",
            "rate(http_requests_total[5m] @ end())",
            "rate(gauge[5m])",
            "http_requests_total + on(job) gauge",
            "foo(",
        };
    }

    /// <summary>(start, end, step, interval): aligned, unaligned, midnight ends, many small splits, steps longer than the interval.</summary>
    private static readonly (long Start, long End, long Step, long Interval)[] s_ranges =
    [
        (s_midnight - 6 * Hour, s_midnight + Day + 6 * Hour, 60_000, Day),
        (s_midnight - 6 * Hour + 13_337, s_midnight + Day + 7 * Hour, 37_000, Day),
        (s_midnight, s_midnight + Day, 300_000, Day),
        (s_midnight - 3 * Hour, s_midnight + 3 * Hour, 15_000, Hour),
        (s_midnight - Day + Hour, s_midnight + Day, Hour, Day),
        (s_midnight - 5 * Hour, s_midnight + 5 * Hour, 2 * Hour, Hour),
        (s_midnight - 10 * 60_000, s_midnight + 60_000, 60_000, Day),
    ];

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task A_split_query_answers_exactly_as_the_unsplit_one(string query)
    {
        foreach (var (start, end, step, interval) in s_ranges)
        {
            var unsplit = await _harness.Engine.RangeQueryAsync(_harness.Storage, "t", query, start, end, step, CancellationToken.None);
            var downstream = _harness.Downstream();
            var frontend = new QueryFrontendRunner(
                new QueryFrontendOptions { SplitQueriesByInterval = TimeSpan.FromMilliseconds(interval), MaxQueryParallelism = 3 },
                downstream);
            var split = await frontend.RangeQueryAsync("t", query, start, end, step, CancellationToken.None);

            Assert.Equal(EngineHarness.Canonical(unsplit), EngineHarness.Canonical(split));
            if (unsplit.Error is null)
            {
                // On an error the first failing split cancels the rest, so fewer may have run.
                Assert.Equal(QuerySplitter.CanSplit(query) ? QuerySplitter.Split(start, end, step, interval) : [(start, end)], downstream.Calls);
            }
        }
    }

    [Fact]
    public async Task The_results_are_not_empty_so_the_comparison_means_something()
    {
        var r = await _harness.Engine.RangeQueryAsync(_harness.Storage, "t", "rate(http_requests_total[5m])", s_midnight - Hour, s_midnight + Hour, 60_000, CancellationToken.None);
        var series = Assert.IsType<MatrixValue>(r.Value).Series;
        Assert.Equal(3, series.Count);
        Assert.All(series, s => Assert.Equal(121, s.Floats.Count));
    }

    [Fact]
    public async Task At_most_max_query_parallelism_splits_run_at_once()
    {
        var gate = new GatedDownstream(release: 3);
        var frontend = new QueryFrontendRunner(new QueryFrontendOptions { MaxQueryParallelism = 3 }, gate);
        var r = await frontend.RangeQueryAsync("t", "up", s_midnight, s_midnight + 10 * Day, Hour, CancellationToken.None);

        Assert.Null(r.Error);
        // Ten days from midnight to midnight: ten splits (the last midnight joins the tenth).
        Assert.Equal(10, gate.Calls);
        Assert.Equal(3, gate.MaxInFlight);
    }

    [Fact]
    public async Task A_failing_split_fails_the_query_with_its_own_error_and_stops_the_rest()
    {
        var failing = new GatedDownstream(release: 1, failAt: s_midnight + 2 * Day);
        var frontend = new QueryFrontendRunner(new QueryFrontendOptions { MaxQueryParallelism = 1 }, failing);
        var r = await frontend.RangeQueryAsync("t", "up", s_midnight, s_midnight + 10 * Day, Hour, CancellationToken.None);

        Assert.Equal(new QueryError(QueryErrorType.Execution, "boom"), r.Error);
        Assert.Equal(3, failing.Calls);
    }

    /// <summary>
    /// Holds every call until <c>release</c> calls are in flight at once (no sleeps: the test deadlocks, and times
    /// out, if fewer can run), then answers an empty matrix, or <c>boom</c> for the split starting at <c>failAt</c>.
    /// </summary>
    private sealed class GatedDownstream(int release, long failAt = long.MinValue) : IQueryDownstream
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _maxInFlight;
        private int _calls;

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public int Calls => Volatile.Read(ref _calls);

        public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public async Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            int now = Interlocked.Increment(ref _inFlight);
            int max;
            while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }

            if (now >= release)
            {
                _open.TrySetResult();
            }

            await _open.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            Interlocked.Decrement(ref _inFlight);
            return startMs == failAt
                ? new QueryResult(null, new QueryError(QueryErrorType.Execution, "boom"), [], [])
                : new QueryResult(new MatrixValue([]), null, [], []);
        }
    }
}
