using System.Globalization;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Tsdb.Block;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>Lazy block reads (src/StoreGateway/BucketBlock*.cs): what is downloaded, and that it answers as the local reader does.</summary>
public sealed class BucketBlockTests(ITestOutputHelper output) : IDisposable
{
    private const long Step = 15_000;

    private readonly List<TestStore> _stores = [];

    public void Dispose() => _stores.ForEach(s => s.Dispose());

    [Fact]
    public async Task A_query_downloads_the_index_header_once_then_only_the_ranges_it_needs()
    {
        var store = NewStore();
        var meta = await store.ShipBlockAsync(0, 240 * Step, 120, ManySeries(4000, 240));
        string blockDir = Path.Combine(store.TenantDir, meta.Ulid.ToString());
        long indexSize = new FileInfo(Path.Combine(blockDir, "index")).Length;
        long blockSize = Directory.EnumerateFiles(blockDir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        string prefix = $"{TestStore.Tenant}/{meta.Ulid}/";

        store.Bucket.Reset();
        await store.Stores.SyncAsync();
        var sync = store.Bucket.Reads.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();

        // meta.json whole; of the index only its size, the TOC, header + symbols and the postings offset table.
        Assert.Equal(["attributes", "get", "get_range", "get_range", "get_range"], sync.Select(r => r.Op).Order());
        Assert.Equal(prefix + "meta.json", Assert.Single(sync, r => r.Op == "get").Key);
        Assert.All(sync.Where(r => r.Op != "get"), r => Assert.Equal(prefix + "index", r.Key));
        Assert.True(sync.Sum(r => r.Bytes) < indexSize / 2, $"sync read {sync.Sum(r => r.Bytes)} bytes of a {indexSize}-byte index");

        store.Bucket.Reset();
        var result = await TestStore.SelectAsync(store.Stores, 0, 240 * Step, Matcher.Eq("i", "0043"));
        var query = store.Bucket.Reads;

        Assert.Equal(Labels.FromStrings("__name__", "metric", "i", "0043", "job", "j3").ToString(), Assert.Single(result).Labels);
        Assert.Equal(240, result[0].Samples.Count);
        Assert.All(query, r => Assert.Equal("get_range", r.Op));
        Assert.Equal([prefix + "chunks/000001", prefix + "index"], query.Select(r => r.Key).Distinct().Order());
        Assert.True(query.Sum(r => r.Bytes) < blockSize / 10, $"query read {query.Sum(r => r.Bytes)} bytes of a {blockSize}-byte block");
        output.WriteLine($"block {blockSize} B (index {indexSize} B); sync read {sync.Sum(r => r.Bytes)} B in {sync.Count} requests; query read {query.Sum(r => r.Bytes)} B in {query.Count} requests");

        // The postings list and series entry now come from the index cache: only the chunks are read again.
        store.Bucket.Reset();
        await TestStore.SelectAsync(store.Stores, 0, 240 * Step, Matcher.Eq("i", "0043"));
        Assert.All(store.Bucket.Reads, r => Assert.Equal(prefix + "chunks/000001", r.Key));
        Assert.Contains("thanos_store_index_cache_hits_total{item_type=\"Series\"} 1", store.Registry.WriteText(), StringComparison.Ordinal);
    }

    public static TheoryData<string, long, long, bool> Cases()
    {
        var data = new TheoryData<string, long, long, bool>();
        string[] matchers =
        [
            "i=0007", "job=j3", "job!=j3", "job=~j[12]", "job!~j.*", "i=~00[1-3].", "i!~.*[02468]", "__name__=metric,job=j1,i!=0011",
            "missing=", "missing!=", "odd=", "odd=yes", "odd!=yes", "i=nope", "__name__=~.+", "job=j1,job=j2",
        ];
        foreach (string m in matchers)
        {
            foreach (bool tiny in new[] { false, true })
            {
                data.Add(m, 0, 200 * Step, tiny);
                data.Add(m, (50 * Step) + 1, 130 * Step, tiny);
            }
        }

        data.Add("job=j1", 500 * Step, 600 * Step, false);
        data.Add("job=j1", 119 * Step, 119 * Step, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Results_equal_the_local_block_reader_for_matchers_and_ranges(string matchers, long mint, long maxt, bool tinyReads)
    {
        // Tiny estimates and no gap merging force a second read for every series entry and chunk.
        var store = NewStore(o =>
        {
            if (tinyReads)
            {
                (o.SeriesSizeEstimateBytes, o.ChunkSizeEstimateBytes, o.PartitionerMaxGapBytes) = (16, 16, 0);
            }
        });
        var meta = await store.ShipBlockAsync(0, 200 * Step, 60, ManySeries(120, 200));
        await store.Stores.SyncAsync();
        var ms = Parse(matchers);

        using var local = BlockReader.Open(Path.Combine(store.TenantDir, meta.Ulid.ToString()));
        var expected = Read(local.Querier(mint, maxt).Select(ms));
        var actual = await TestStore.SelectAsync(store.Stores, mint, maxt, ms);

        // Again, with the expanded postings, series entries and chunks from the caches.
        var again = await TestStore.SelectAsync(store.Stores, mint, maxt, ms);
        Assert.Equal(actual.Select(s => (s.Labels, string.Join(",", s.Samples))), again.Select(s => (s.Labels, string.Join(",", s.Samples))));

        Assert.Equal(expected.Select(s => s.Labels), actual.Select(s => s.Labels));
        Assert.Equal(expected.Select(s => s.Samples), actual.Select(s => s.Samples));

        await using var q = store.Stores.Querier(TestStore.Tenant, 0, 200 * Step);
        var lq = local.Querier(0, 200 * Step);
        Assert.Equal(await lq.LabelNamesAsync(ms, CancellationToken.None), await q.LabelNamesAsync(ms, CancellationToken.None));
        Assert.Equal(await lq.LabelValuesAsync("job", ms, CancellationToken.None), await q.LabelValuesAsync("job", ms, CancellationToken.None));
    }

    [Fact]
    public async Task A_corrupt_chunk_fails_the_query_naming_tenant_block_object_and_offset()
    {
        var store = NewStore();
        var meta = await store.ShipBlockAsync(0, 200 * Step, 60, ManySeries(20, 200));
        await store.Stores.SyncAsync();
        ulong chunkRef;
        using (var local = BlockReader.Open(Path.Combine(store.TenantDir, meta.Ulid.ToString())))
        {
            chunkRef = local.Index.Series(local.Index.Postings("i", "0003")[0]).Chunks[1].Ref;
        }

        string key = $"{TestStore.Tenant}/{meta.Ulid}/chunks/000001";
        byte[] segment = File.ReadAllBytes(Path.Combine(store.BucketDir, key));
        long offset = (long)(chunkRef & 0xFFFF_FFFF);
        segment[offset + 4] ^= 0x40;
        await store.Bucket.UploadAsync(key, new MemoryStream(segment));

        var e = await Assert.ThrowsAsync<BlockCorruptionException>(() => TestStore.SelectAsync(store.Stores, 0, 200 * Step, Matcher.Eq("i", "0003")));

        Assert.Equal(key, e.File);
        Assert.InRange(e.Offset, offset, offset + 200);
        Assert.Contains(TestStore.Tenant, e.Message, StringComparison.Ordinal);
        Assert.Contains(meta.Ulid.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains("CRC32C", e.Message, StringComparison.Ordinal);

        // Other series' chunks are intact.
        Assert.Single(await TestStore.SelectAsync(store.Stores, 0, 200 * Step, Matcher.Eq("i", "0004")));
    }

    [Fact]
    public async Task The_index_cache_stays_within_its_limit_and_counts_evictions()
    {
        var store = NewStore(o => o.IndexCacheMaxSizeBytes = 2_000);
        await store.ShipBlockAsync(0, 200 * Step, 60, ManySeries(120, 200));
        await store.Stores.SyncAsync();

        for (int i = 0; i < 40; i++)
        {
            var r = await TestStore.SelectAsync(store.Stores, 0, 200 * Step, Matcher.Eq("i", i.ToString("D4", CultureInfo.InvariantCulture)));
            Assert.Single(r);
            Assert.InRange(store.Stores.IndexCache.SizeBytes, 1, 2_000);
        }

        // Per query one postings list, one series entry and the block's expanded postings of the matcher.
        string metrics = store.Registry.WriteText();
        string[] types = ["Postings", "Series", "ExpandedPostings"];
        double Sum(string name) => types.Sum(t => Metric(metrics, $"{name}{{item_type=\"{t}\"}}"));
        Assert.Equal(120, Sum("thanos_store_index_cache_items_added_total"));
        Assert.Equal(Sum("thanos_store_index_cache_items_added_total") - store.Stores.IndexCache.Count, Sum("thanos_store_index_cache_items_evicted_total"));
        Assert.Equal(store.Stores.IndexCache.SizeBytes, Sum("thanos_store_index_cache_total_size_bytes"));
    }

    internal static (Labels Labels, (long T, double V)[] Samples)[] ManySeries(int count, int samples, long start = 0) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var labels = new List<string> { "__name__", "metric", "i", i.ToString("D4", CultureInfo.InvariantCulture), "job", "j" + (i % 10).ToString(CultureInfo.InvariantCulture) };
            if (i % 3 == 0)
            {
                labels.AddRange(["odd", "yes"]);
            }

            return (Labels.FromStrings([.. labels]), TestStore.Range(start, start + ((samples - 1) * Step), Step, offset: i * 1.5));
        })];

    private static Matcher[] Parse(string matchers) =>
        [.. matchers.Split(',').Select(m =>
        {
            foreach (var (op, type) in new[] { ("!=", MatcherType.NotEqual), ("=~", MatcherType.Regex), ("!~", MatcherType.NotRegex), ("=", MatcherType.Equal) })
            {
                int at = m.IndexOf(op, StringComparison.Ordinal);
                if (at > 0)
                {
                    return new Matcher(type, m[..at], m[(at + op.Length)..]);
                }
            }

            throw new ArgumentException(m);
        })];

    private static List<(string Labels, List<(long T, double V)> Samples)> Read(IEnumerable<ISeries> series) =>
        [.. series.Select(s =>
        {
            var samples = new List<(long, double)>();
            var it = s.Iterator(null);
            while (it.Next())
            {
                samples.Add((it.T, it.V));
            }

            return (s.Labels.ToString(), samples);
        }).Where(s => s.samples.Count > 0)];

    private static double Metric(string text, string series) =>
        double.Parse(text.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], CultureInfo.InvariantCulture);

    private TestStore NewStore(Action<BucketStoreOptions>? configure = null)
    {
        var s = new TestStore(configure);
        _stores.Add(s);
        return s;
    }
}
