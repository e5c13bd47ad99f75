using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.Tests.Shared;
using Xunit;

namespace MetricsCluster.QueryFrontend.Tests;

/// <summary>
/// The results cache, run on every backend (G18 conformance): a repeated dashboard query is answered from the cache
/// except its fresh tail, identically.
/// </summary>
public abstract class ResultsCacheConformance : IClassFixture<EngineHarness>
{
    private const long Minute = 60_000;
    private const long Hour = 3_600_000;
    private static readonly long s_now = EngineHarness.Midnight + EngineHarness.Day + (12 * Hour) + 17_000;
    private readonly EngineHarness _harness;

    protected ResultsCacheConformance(EngineHarness harness) => _harness = harness;

    /// <summary>A new, empty cache of the backend under test.</summary>
    protected abstract IResultsCache NewCache();

    private (QueryFrontendRunner Frontend, CountingDownstream Downstream, IResultsCache Cache, ManualTimeProvider Clock) Create()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(s_now));
        var downstream = _harness.Downstream();
        var cache = NewCache();
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
        var (frontend, downstream, _, clock) = Create();
        long now = s_now;
        long end = now;
        long start = (now - (24 * Hour)) / Minute * Minute;

        // First load: both days' splits go downstream.
        await AssertSameAsUnsplit(frontend, query, start, end, Minute);
        long midnight = EngineHarness.Midnight + EngineHarness.Day;
        Assert.Equal([(start, midnight - Minute), (midnight, end)], downstream.Calls);

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

        // Six lookups (two splits, three loads); the second and third loads found both days' entries.
        Assert.Equal((6, 4, 4), (frontend.Counters.CacheLookups, frontend.Counters.CacheHits, frontend.Counters.Downstream));
    }

    [Fact]
    public async Task Queries_the_cache_cannot_answer_right_always_go_downstream()
    {
        var (frontend, downstream, _, _) = Create();
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
    }

    [Fact]
    public async Task Errors_are_not_cached()
    {
        var (frontend, downstream, _, _) = Create();
        for (int i = 0; i < 2; i++)
        {
            var r = await frontend.RangeQueryAsync("t", "http_requests_total + on(job) gauge", EngineHarness.Midnight, EngineHarness.Midnight + Hour, Minute, CancellationToken.None);
            Assert.Equal(QueryErrorType.Execution, r.Error?.Type);
        }

        Assert.Equal(2, downstream.Calls.Count);
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
}

/// <summary>The conformance on the in-process cache, plus its byte bound and Mimir's keys.</summary>
public sealed class InMemoryResultsCacheTests(EngineHarness harness) : ResultsCacheConformance(harness)
{
    private const long Minute = 60_000;
    private readonly EngineHarness _harness = harness;

    protected override IResultsCache NewCache() => new InMemoryResultsCache(64 << 20);

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

/// <summary>The conformance on memcached (a real one, a child process), plus what memcached adds: its failures are misses.</summary>
public sealed class MemcachedResultsCacheTests : ResultsCacheConformance, IAsyncLifetime
{
    private readonly List<MemcachedResultsCache> _clients = [];
    private MemcachedServer _server = null!;

    public MemcachedResultsCacheTests(EngineHarness harness)
        : base(harness)
    {
    }

    public async Task InitializeAsync() => _server = await MemcachedServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var c in _clients)
        {
            await c.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    // One server per test class instance (xUnit makes one per test), so every test starts empty.
    protected override IResultsCache NewCache()
    {
        var client = new MemcachedResultsCache([_server.Address], TimeSpan.FromSeconds(5), TimeSpan.FromDays(7));
        _clients.Add(client);
        return client;
    }

    [Fact]
    public async Task Entries_round_trip_bit_exactly_and_a_colliding_key_reads_as_a_miss()
    {
        var cache = (MemcachedResultsCache)NewCache();
        Extent[] extents =
        [
            new(1000, 61_000, [new Series(Labels.FromStrings("__name__", "x", "a", "b"), [new(1000, 1.5), new(31_000, double.NaN), new(61_000, StaleMarker.Value)], dropName: true)]),
            new(-60_000, -60_000, [new Series(Labels.FromStrings("__name__", "y"), [new(-60_000, -0.0)])]),
        ];
        await cache.SetAsync("t:up:60000:0", extents, CancellationToken.None);
        var back = await cache.GetAsync("t:up:60000:0", CancellationToken.None);
        Assert.NotNull(back);
        Assert.Equal(Text(extents), Text(back));

        // Another long key under the same short key (as after an FNV collision) is refused by the stored full key.
        var buf = new System.Buffers.ArrayBufferWriter<byte>();
        ExtentCodec.Encode("t:up:60000:0", extents, buf);
        Assert.False(ExtentCodec.TryDecode(buf.WrittenSpan, "t:other:60000:0", out _));
        byte[] corrupt = buf.WrittenSpan.ToArray();
        corrupt[^6] ^= 1;
        Assert.False(ExtentCodec.TryDecode(corrupt, "t:up:60000:0", out _));
        for (int cut = 0; cut < buf.WrittenCount; cut++)
        {
            Assert.False(ExtentCodec.TryDecode(buf.WrittenSpan[..cut], "t:up:60000:0", out _));
        }

        Assert.Equal(0, cache.Errors);
    }

    [Fact]
    public async Task A_memcached_that_goes_away_is_a_miss_and_queries_still_answer()
    {
        var cache = (MemcachedResultsCache)NewCache();
        await cache.SetAsync("k", [], CancellationToken.None);
        Assert.NotNull(await cache.GetAsync("k", CancellationToken.None));
        await _server.DisposeAsync();

        Assert.Null(await cache.GetAsync("k", CancellationToken.None));
        await cache.SetAsync("k", [], CancellationToken.None);
        Assert.Equal(2, cache.Errors);

        using var harness = new EngineHarness();
        var downstream = harness.Downstream();
        var frontend = new QueryFrontendRunner(new QueryFrontendOptions { CacheResults = true }, downstream, cache);
        var r = await frontend.RangeQueryAsync("t", "gauge", EngineHarness.Midnight, EngineHarness.Midnight + 3_600_000, 60_000, CancellationToken.None);
        Assert.Null(r.Error);
        Assert.NotEmpty(Assert.IsType<MatrixValue>(r.Value).Series);
        _server = await MemcachedServer.StartAsync();
    }

    [Fact]
    public void Keys_are_hashed_as_Mimir_hashes_them() =>
        // FNV-1a 64 of "" is its offset basis; of "a" the published test vector.
        Assert.Equal(("cbf29ce484222325", "af63dc4c8601ec8c"), (MemcachedResultsCache.HashKey(string.Empty), MemcachedResultsCache.HashKey("a")));

    private static string Text(IReadOnlyList<Extent> extents) => string.Join("\n", extents.Select(e =>
        $"{e.Start}..{e.End}: " + string.Join(";", e.Series.Select(s => $"{s.Metric} {s.DropName} " + string.Join(",", s.Floats.Select(p => $"{p.T}={BitConverter.DoubleToInt64Bits(p.F):x}"))))));
}
