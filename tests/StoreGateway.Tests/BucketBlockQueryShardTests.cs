using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using Xunit;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>The <c>__query_shard__</c> matcher in the store-gateway's bucket block (src/StoreGateway/BucketBlock.cs).</summary>
public sealed class BucketBlockQueryShardTests : IDisposable
{
    private const long Step = 15_000;
    // No merging of nearby ranges and a tiny chunk-size estimate, so the bytes read are those of the wanted chunks
    // (merging would read the gaps between a shard's chunks, a 16 kB estimate reads past a lone chunk's end).
    private readonly TestStore _store = new(o => (o.PartitionerMaxGapBytes, o.ChunkSizeEstimateBytes) = (0, 16));

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    public async Task The_shards_partition_the_selection_and_read_only_their_own_chunks(int count)
    {
        await _store.ShipBlockAsync(0, 200 * Step, 60, BucketBlockTests.ManySeries(120, 200));
        await _store.Stores.SyncAsync();
        var matcher = new Matcher(MatcherType.NotEqual, "job", "j4");

        _store.Bucket.Reset();
        var whole = await TestStore.SelectAsync(_store.Stores, 0, 200 * Step, matcher);
        long wholeChunkBytes = ChunkBytes();
        Assert.NotEmpty(whole);

        var seen = new List<(string Labels, List<(long T, double V)> Samples)>();
        long shardChunkBytes = 0;
        for (int i = 0; i < count; i++)
        {
            var shard = new QueryShard(i, count);
            _store.Bucket.Reset();
            var part = await TestStore.SelectAsync(_store.Stores, 0, 200 * Step, matcher, shard.ToMatcher());
            shardChunkBytes += ChunkBytes();
            seen.AddRange(part);

            await using var q = _store.Stores.Querier(TestStore.Tenant, 0, 200 * Step);
            var values = await q.LabelValuesAsync("i", [matcher, shard.ToMatcher()], CancellationToken.None);
            Assert.Equal(part.Count, values.Count);
        }

        // Disjoint and complete, samples included.
        Assert.Equal(whole.OrderBy(s => s.Labels, StringComparer.Ordinal).Select(s => (s.Labels, string.Join(',', s.Samples))),
            seen.OrderBy(s => s.Labels, StringComparer.Ordinal).Select(s => (s.Labels, string.Join(',', s.Samples))));

        // Pushdown: a shard fetches its own chunks only, so all shards together read no more chunk bytes than one
        // unsharded query (plus the slack of chunk-size estimates).
        Assert.True(shardChunkBytes <= wholeChunkBytes + (16 * 4 * 120), $"shards read {shardChunkBytes} chunk bytes, unsharded {wholeChunkBytes}");
    }

    private long ChunkBytes() => _store.Bucket.Reads.Where(r => r.Key.Contains("/chunks/", StringComparison.Ordinal)).Sum(r => r.Bytes);
}
