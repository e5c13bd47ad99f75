using MetricsCluster.Core;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>
/// Object-store requests per block of a query, counted by <see cref="CountingBucket"/> on a real filesystem bucket:
/// a cold query costs one request round for postings, one for series entries and one per chunk segment; a
/// repeated one costs none (index cache and chunks cache); entries longer than their size estimate cost one more
/// batch, not two requests each.
/// </summary>
public sealed class RoundTripTests(ITestOutputHelper output) : IDisposable
{
    private const long Step = 15_000;
    private const int Blocks = 4;
    private readonly List<TestStore> _stores = [];

    public void Dispose() => _stores.ForEach(s => s.Dispose());

    /// <summary>Rows: matcher, tiny size estimates (every entry and chunk read twice), expected index and chunk GETs per block, cold.</summary>
    public static TheoryData<string, string, bool, int, int> Cases() => new()
    {
        { "i", "0043", false, 2, 1 },
        { "job", "j3", false, 2, 1 },
        { "job", "j3", true, 3, 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_query_costs_three_request_rounds_per_block_cold_and_none_warm(string name, string value, bool tiny, int indexGets, int chunkGets)
    {
        var store = NewStore(o =>
        {
            if (tiny)
            {
                // Estimates far below the entries' sizes: every series entry and chunk needs a second read.
                (o.SeriesSizeEstimateBytes, o.ChunkSizeEstimateBytes) = (16, 16);
            }
        });
        for (int b = 0; b < Blocks; b++)
        {
            await store.ShipBlockAsync(b * 240 * Step, (b + 1) * 240 * Step, 120, BucketBlockTests.ManySeries(2000, 240, start: b * 240 * Step));
        }

        await store.Stores.SyncAsync();
        store.Bucket.Reset();
        var cold = await TestStore.SelectAsync(store.Stores, 0, Blocks * 240 * Step, Matcher.Eq(name, value));
        var coldReads = store.Bucket.Reads;
        store.Bucket.Reset();
        var warm = await TestStore.SelectAsync(store.Stores, 0, Blocks * 240 * Step, Matcher.Eq(name, value));

        Assert.NotEmpty(cold);
        Assert.Equal(cold, warm, new ChunksCacheTests.ResultComparer());
        int index = coldReads.Count(r => r.Key.EndsWith("/index", StringComparison.Ordinal));
        int chunks = coldReads.Count(r => r.Key.Contains("/chunks/", StringComparison.Ordinal));
        output.WriteLine($"{name}={value} tiny={tiny}: {cold.Count} series; cold {index} index + {chunks} chunk GETs over {Blocks} blocks ({coldReads.Sum(r => r.Bytes)} B); warm {store.Bucket.Reads.Count} GETs");
        Assert.Equal(Blocks * indexGets, index);
        Assert.Equal(Blocks * chunkGets, chunks);
        Assert.Empty(store.Bucket.Reads);
    }

    private TestStore NewStore(Action<BucketStoreOptions>? configure = null)
    {
        var s = new TestStore(configure);
        _stores.Add(s);
        return s;
    }
}
