using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;
using MetricsCluster.QueryFrontend.Tests;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>The chunks cache on a real memcached (a child process on 127.0.0.1 and a free port, one per test).</summary>
public sealed class MemcachedChunksCacheTests : IAsyncLifetime
{
    private const long Step = 15_000;
    private MemcachedServer _server = null!;
    private TestStore? _store;

    public async Task InitializeAsync() => _server = await MemcachedServer.StartAsync();

    public async Task DisposeAsync()
    {
        _store?.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Values_round_trip_in_one_multi_get_and_absent_keys_are_misses()
    {
        var registry = new MetricsRegistry();
        await using var cache = new MemcachedChunksCache([_server.Address], TimeSpan.FromSeconds(5), registry);
        var block = Ulid.New(1, new Random(1));
        var items = Enumerable.Range(0, 50).Select(i => (new ChunkCacheKey("t", block, (ulong)i * 1000), Enumerable.Range(0, i * 37).Select(b => (byte)b).ToArray())).ToList();
        await cache.StoreAsync(items, CancellationToken.None);

        var keys = items.Select(i => i.Item1).Append(new ChunkCacheKey("t", block, 7)).ToList();
        var found = await cache.FetchAsync(keys, CancellationToken.None);

        Assert.Equal(50, found.Count);
        Assert.All(items, i => Assert.Equal(i.Item2, found[i.Item1]));
        Assert.Equal(0, cache.Errors);
        Assert.Contains("thanos_cache_memcached_hits_total{name=\"chunks-cache\"} 50", registry.WriteText(), StringComparison.Ordinal);
        Assert.Contains("thanos_cache_memcached_requests_total{name=\"chunks-cache\"} 51", registry.WriteText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queries_read_chunks_from_memcached_and_answer_without_it_when_it_goes_away()
    {
        _store = new TestStore(o => (o.ChunksCacheBackend, o.ChunksCacheMemcachedAddresses, o.ChunksCacheMemcachedTimeout) = (BucketStoreOptions.MemcachedBackend, [_server.Address], TimeSpan.FromSeconds(5)));
        await _store.ShipBlockAsync(0, 200 * Step, 60, BucketBlockTests.ManySeries(120, 200));
        await _store.Stores.SyncAsync();
        var expected = await TestStore.SelectAsync(_store.Stores, 0, 200 * Step, Matcher.Eq("job", "j5"));

        // A new store-gateway process (empty index cache) finds the chunks in memcached: only index reads.
        _store.Restart();
        await _store.Stores.SyncAsync();
        _store.Bucket.Reset();
        Assert.Equal(expected, await TestStore.SelectAsync(_store.Stores, 0, 200 * Step, Matcher.Eq("job", "j5")), new ChunksCacheTests.ResultComparer());
        Assert.DoesNotContain(_store.Bucket.Reads, r => r.Key.Contains("/chunks/", StringComparison.Ordinal));

        // Memcached gone: misses (counted as failures), chunks from the bucket, same answer.
        await _server.DisposeAsync();
        _store.Bucket.Reset();
        Assert.Equal(expected, await TestStore.SelectAsync(_store.Stores, 0, 200 * Step, Matcher.Eq("job", "j5")), new ChunksCacheTests.ResultComparer());
        Assert.Contains(_store.Bucket.Reads, r => r.Key.Contains("/chunks/", StringComparison.Ordinal));
        Assert.True(((MemcachedChunksCache)_store.Stores.ChunksCache!).Errors >= 1);
        _server = await MemcachedServer.StartAsync();
    }
}
