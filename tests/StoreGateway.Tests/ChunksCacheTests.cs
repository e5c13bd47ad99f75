using System.Globalization;
using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>The chunks cache (src/StoreGateway/ChunksCache): the in-memory LRU's bounds, and its use by block reads.</summary>
public sealed class ChunksCacheTests : IDisposable
{
    private const long Step = 15_000;
    private static readonly Ulid s_block = Ulid.New(1, new Random(1));
    private readonly List<TestStore> _stores = [];

    public void Dispose() => _stores.ForEach(s => s.Dispose());

    [Fact]
    public async Task The_lru_holds_at_most_its_bytes_evicts_the_least_recently_used_and_refuses_what_cannot_fit()
    {
        var registry = new MetricsRegistry();
        long entry = 400 + InMemoryChunksCache.EntryOverhead;
        var cache = new InMemoryChunksCache(3 * entry, registry);
        await cache.StoreAsync([(Key(1), new byte[400]), (Key(2), new byte[400]), (Key(3), new byte[400])], CancellationToken.None);
        Assert.Equal((3, 3 * entry), (cache.Count, cache.SizeBytes));

        // Reading 1 makes 2 the oldest, so adding 4 evicts 2.
        Assert.Single(await cache.FetchAsync([Key(1)], CancellationToken.None));
        await cache.StoreAsync([(Key(4), new byte[400])], CancellationToken.None);
        var found = await cache.FetchAsync([Key(1), Key(2), Key(3), Key(4)], CancellationToken.None);
        Assert.Equal(new ulong[] { 1, 3, 4 }, found.Keys.Select(k => k.Ref).Order());
        Assert.Equal(3 * entry, cache.SizeBytes);

        // Bigger than the whole cache: refused, nothing evicted.
        await cache.StoreAsync([(Key(5), new byte[3 * entry])], CancellationToken.None);
        Assert.Equal(3, cache.Count);

        // Another tenant or block with the same ref is another chunk.
        Assert.Empty(await cache.FetchAsync([new ChunkCacheKey("other", s_block, 1), new ChunkCacheKey(TestStore.Tenant, Ulid.New(2, new Random(2)), 1)], CancellationToken.None));

        string text = registry.WriteText();
        Assert.Equal(4, Metric(text, "thanos_cache_inmemory_items_added_total{name=\"chunks-cache\"}"));
        Assert.Equal(1, Metric(text, "thanos_cache_inmemory_items_evicted_total{name=\"chunks-cache\"}"));
        Assert.Equal(1, Metric(text, "thanos_cache_inmemory_items_overflowed_total{name=\"chunks-cache\"}"));
        Assert.Equal(3, Metric(text, "thanos_cache_inmemory_items{name=\"chunks-cache\"}"));
        Assert.Equal(3 * entry, Metric(text, "thanos_cache_inmemory_items_size_bytes{name=\"chunks-cache\"}"));
        Assert.Equal(7, Metric(text, "thanos_cache_inmemory_requests_total{name=\"chunks-cache\"}"));
        Assert.Equal(4, Metric(text, "thanos_cache_inmemory_hits_total{name=\"chunks-cache\"}"));
        Assert.Equal(4, Metric(text, "thanos_store_bucket_cache_operation_hits_total{operation=\"get_range\",config=\"chunks\"}"));
    }

    [Fact]
    public void Keys_name_the_segment_object_and_offset()
    {
        Assert.Equal($"chunk:{TestStore.Tenant}/{s_block}/chunks/000003:4096", new ChunkCacheKey(TestStore.Tenant, s_block, (2UL << 32) | 4096).ToString());
        Assert.True(Core.Caching.MemcachedClient.IsValidKey(new ChunkCacheKey(new string('t', 150), s_block, ulong.MaxValue).ToString()));
    }

    [Theory]
    [InlineData(BucketStoreOptions.InMemoryBackend, 0)]
    [InlineData("", 1)]
    public async Task A_repeated_query_reads_its_chunks_from_the_cache_and_answers_the_same(string backend, int chunkReadsPerBlock)
    {
        var store = NewStore(o => o.ChunksCacheBackend = backend);
        await store.ShipBlockAsync(0, 200 * Step, 60, BucketBlockTests.ManySeries(120, 200));
        await store.ShipBlockAsync(200 * Step, 400 * Step, 60, BucketBlockTests.ManySeries(120, 200, start: 200 * Step));
        await store.Stores.SyncAsync();

        var first = await TestStore.SelectAsync(store.Stores, 0, 400 * Step, Matcher.Eq("job", "j3"));
        store.Bucket.Reset();
        var second = await TestStore.SelectAsync(store.Stores, 0, 400 * Step, Matcher.Eq("job", "j3"));

        Assert.Equal(12, second.Count);
        Assert.Equal(first, second, new ResultComparer());
        Assert.Equal(2 * chunkReadsPerBlock, store.Bucket.Reads.Count);
        Assert.Equal(backend == "", store.Stores.ChunksCache is null);
    }

    [Fact]
    public async Task A_damaged_cache_entry_is_a_miss_read_again_from_the_bucket_and_replaced()
    {
        var store = NewStore();
        var meta = await store.ShipBlockAsync(0, 200 * Step, 60, BucketBlockTests.ManySeries(30, 200));
        await store.Stores.SyncAsync();
        var expected = await TestStore.SelectAsync(store.Stores, 0, 200 * Step, Matcher.Eq("i", "0004"));
        var cache = (InMemoryChunksCache)store.Stores.ChunksCache!;

        // Every cached record of the series flipped in one byte (a bad CRC), or cut short.
        using var reader = BlockReader.Open(Path.Combine(store.TenantDir, meta.Ulid.ToString()));
        var refs = Read(reader, "0004");
        var damaged = new List<(ChunkCacheKey, byte[])>();
        foreach (var (r, i) in refs.Select((r, i) => (r, i)))
        {
            var key = new ChunkCacheKey(TestStore.Tenant, meta.Ulid, r);
            var record = (await cache.FetchAsync([key], CancellationToken.None))[key];
            cache.Invalidate(key);
            damaged.Add((key, i % 2 == 0 ? Flip(record) : record[..^1]));
        }

        await cache.StoreAsync(damaged, CancellationToken.None);
        store.Bucket.Reset();
        var again = await TestStore.SelectAsync(store.Stores, 0, 200 * Step, Matcher.Eq("i", "0004"));

        Assert.Equal(expected, again, new ResultComparer());
        Assert.Contains(store.Bucket.Reads, r => r.Key.EndsWith("chunks/000001", StringComparison.Ordinal));

        // The good records replaced the damaged ones: the third query reads nothing.
        store.Bucket.Reset();
        Assert.Equal(expected, await TestStore.SelectAsync(store.Stores, 0, 200 * Step, Matcher.Eq("i", "0004")), new ResultComparer());
        Assert.Empty(store.Bucket.Reads);
    }

    private static ulong[] Read(BlockReader reader, string i)
    {
        var index = reader.Index;
        foreach (ulong s in index.SelectSeriesRefs([Matcher.Eq("i", i)]))
        {
            return [.. index.Series(s).Chunks.Select(c => c.Ref)];
        }

        throw new InvalidOperationException("series not found");
    }

    private static byte[] Flip(byte[] record)
    {
        byte[] copy = [.. record];
        copy[^5] ^= 0x40;
        return copy;
    }

    private static ChunkCacheKey Key(ulong r) => new(TestStore.Tenant, s_block, r);

    private static double Metric(string text, string series) =>
        double.Parse(text.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], CultureInfo.InvariantCulture);

    private TestStore NewStore(Action<BucketStoreOptions>? configure = null)
    {
        var s = new TestStore(configure);
        _stores.Add(s);
        return s;
    }

    /// <summary>Compares query results by labels and samples.</summary>
    internal sealed class ResultComparer : IEqualityComparer<(string Labels, List<(long T, double V)> Samples)>
    {
        public bool Equals((string Labels, List<(long T, double V)> Samples) x, (string Labels, List<(long T, double V)> Samples) y) =>
            x.Labels == y.Labels && x.Samples.SequenceEqual(y.Samples);

        public int GetHashCode((string Labels, List<(long T, double V)> Samples) obj) => obj.Labels.GetHashCode(StringComparison.Ordinal);
    }
}
