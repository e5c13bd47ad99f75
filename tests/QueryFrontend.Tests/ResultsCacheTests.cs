using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.Tests.Shared;
using Xunit;

namespace MetricsCluster.QueryFrontend.Tests;

/// <summary>The results cache: a repeated dashboard query is answered from the cache except its fresh tail, identically.</summary>
public sealed class ResultsCacheTests : IClassFixture<EngineHarness>
{
    private const long Minute = 60_000;
    private const long Hour = 3_600_000;
    private static readonly long s_now = EngineHarness.Midnight + EngineHarness.Day + (12 * Hour) + 17_000;
    private readonly EngineHarness _harness;

    public ResultsCacheTests(EngineHarness harness) => _harness = harness;

    private (QueryFrontendRunner Frontend, CountingDownstream Downstream, InMemoryResultsCache Cache, ManualTimeProvider Clock) Create(long cacheBytes = 64 << 20)
    {
        var clock = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(s_now));
        var downstream = _harness.Downstream();
        var cache = new InMemoryResultsCache(cacheBytes);
        var frontend = new QueryFrontendRunner(new QueryFrontendOptions { CacheResults = true }, downstream, cache, clock);
        return (frontend, downstream, cache, clock);
    }

    private async Task<QueryResult> AssertSameAsUnsplit(QueryFrontendRunner frontend, string query, long start, long end, long step)
    {
        var unsplit = await _harness.Engine.RangeQueryAsync(_harness.Storage, "t", query, start, end, step, CancellationToken.None);
        var answer = await frontend.RangeQueryAsync("t", query, start, end, step, CancellationToken.None);
        Assert.Null(answer.Error);
        Assert.Equal(EngineHarness.Canonical(unsplit), EngineHarness.Canonical(answer));
        return answer;
    }

    [Theory]
    [InlineData("sum by (instance) (rate(http_requests_total[5m]))")]
    [InlineData("avg_over_time(gauge[10m])")]
    [InlineData("sparse")]
    public async Task A_refreshed_dashboard_query_asks_downstream_only_for_the_fresh_tail(string query)
    {
        var (frontend, downstream, cache, clock) = Create();
        long now = s_now;
        long end = now;
        long start = (now - (24 * Hour)) / Minute * Minute;

        // First load: both days' splits go downstream.
        await AssertSameAsUnsplit(frontend, query, start, end, Minute);
        long midnight = EngineHarness.Midnight + EngineHarness.Day;
        Assert.Equal([(start, midnight - Minute), (midnight, end)], downstream.Calls);
        Assert.Equal(2, cache.Count);

        // The same query again: only the steps newer than now − 1m, which were never cached.
        await AssertSameAsUnsplit(frontend, query, start, end, Minute);
        long lastCached = start + ((now - Minute - start) / Minute * Minute);
        Assert.Equal((lastCached + Minute, end), downstream.Calls[^1]);
        Assert.Equal(3, downstream.Calls.Count);

        // Five minutes later the dashboard refreshes with a moved window: only the new tail goes downstream.
        clock.Advance(TimeSpan.FromMinutes(5));
        now += 5 * Minute;
        await AssertSameAsUnsplit(frontend, query, start + (5 * Minute), now, Minute);
        Assert.Equal(4, downstream.Calls.Count);
        Assert.Equal((lastCached + Minute, now), downstream.Calls[^1]);
    }

    [Fact]
    public async Task Queries_the_cache_cannot_answer_right_always_go_downstream()
    {
        var (frontend, downstream, cache, _) = Create();
        long start = EngineHarness.Midnight;
        foreach (string query in new[] { "gauge @ end()", $"gauge @ {s_now / 1000}", "foo(" })
        {
            await frontend.RangeQueryAsync("t", query, start, start + Hour, Minute, CancellationToken.None);
            await frontend.RangeQueryAsync("t", query, start, start + Hour, Minute, CancellationToken.None);
        }

        // A start off the step grid (Mimir caches only step-aligned requests by default).
        await AssertSameAsUnsplit(frontend, "gauge", start + 1_000, start + Hour, Minute);
        await AssertSameAsUnsplit(frontend, "gauge", start + 1_000, start + Hour, Minute);

        // A query newer than now − 1m is never cached.
        await AssertSameAsUnsplit(frontend, "gauge", s_now - 30_000, s_now, 15_000);
        await AssertSameAsUnsplit(frontend, "gauge", s_now - 30_000, s_now, 15_000);
        Assert.Equal(10, downstream.Calls.Count);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Errors_are_not_cached()
    {
        var (frontend, downstream, cache, _) = Create();
        for (int i = 0; i < 2; i++)
        {
            var r = await frontend.RangeQueryAsync("t", "http_requests_total + on(job) gauge", EngineHarness.Midnight, EngineHarness.Midnight + Hour, Minute, CancellationToken.None);
            Assert.Equal(QueryErrorType.Execution, r.Error?.Type);
        }

        Assert.Equal(2, downstream.Calls.Count);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Tenants_do_not_share_cached_results()
    {
        var (frontend, downstream, _, _) = Create();
        await frontend.RangeQueryAsync("a", "gauge", EngineHarness.Midnight, EngineHarness.Midnight + Hour, Minute, CancellationToken.None);
        await frontend.RangeQueryAsync("b", "gauge", EngineHarness.Midnight, EngineHarness.Midnight + Hour, Minute, CancellationToken.None);
        await frontend.RangeQueryAsync("a", "gauge", EngineHarness.Midnight, EngineHarness.Midnight + Hour, Minute, CancellationToken.None);
        Assert.Equal(2, downstream.Calls.Count);
    }

    [Fact]
    public void The_in_memory_cache_evicts_the_least_recently_used_past_its_byte_bound()
    {
        static Extent Make(int points) =>
            new(0, points - 1, [new Series(Labels.FromStrings("__name__", "x"), Enumerable.Range(0, points).Select(i => new FPoint(i, i)).ToList())]);

        long one = 64 + (2 * "k1".Length) + Make(100).SizeBytes;
        var cache = new InMemoryResultsCache(3 * one);
        cache.Set("k1", [Make(100)]);
        cache.Set("k2", [Make(100)]);
        cache.Set("k3", [Make(100)]);
        Assert.Equal(3 * one, cache.SizeBytes);

        // Reading k1 makes k2 the oldest; a fourth entry evicts it.
        Assert.NotNull(cache.Get("k1"));
        cache.Set("k4", [Make(100)]);
        Assert.Null(cache.Get("k2"));
        Assert.NotNull(cache.Get("k1"));
        Assert.NotNull(cache.Get("k3"));
        Assert.Equal(3 * one, cache.SizeBytes);

        // Replacing an entry accounts for the new size; an entry over the bound is not stored (and drops the old one).
        cache.Set("k1", [Make(10_000)]);
        Assert.Null(cache.Get("k1"));
        Assert.Equal(2 * one, cache.SizeBytes);
    }

    [Theory]
    [InlineData(0, "t:up:60000:0")]
    [InlineData(86_400_000, "t:up:60000:1")]
    [InlineData(86_400_000 + 1_000, "t:up:60000:1:1000")]
    [InlineData(-1, "t:up:60000:-1:59999")]
    public void Keys_are_Mimirs(long start, string expected)
    {
        var frontend = new QueryFrontendRunner(new QueryFrontendOptions(), _harness.Downstream());
        Assert.Equal(expected, frontend.CacheKey("t", "up", start, Minute));
    }
}
