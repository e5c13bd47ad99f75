using MetricsCluster.Compactor.Compaction;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static MetricsCluster.Compactor.Tests.Compaction.CompactionFixture;

namespace MetricsCluster.Compactor.Tests.Compaction;

public sealed class TenantCompactorTests : IDisposable
{
    private readonly CompactionFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Three_replica_blocks_become_one_block_holding_each_sample_once_and_the_replicas_are_marked()
    {
        // Each replica misses a different minute (a push that reached only two ingesters).
        var a = Samples(0, 2, 5, t => (t / 60_000) % 7 != 1);
        var b = Samples(0, 2, 5, t => (t / 60_000) % 7 != 2);
        var c = Samples(0, 2, 5, t => (t / 60_000) % 7 != 3);
        var sources = new[] { await _f.UploadAsync(0, 2, a), await _f.UploadAsync(0, 2, b), await _f.UploadAsync(0, 2, c) };

        Assert.Equal(0, await _f.Compactor.CompactAsync(Tenant));

        var live = Assert.Single(await _f.LiveBlocksAsync());
        AssertExactly([a, b, c], live.Series);
        Assert.Equal(2, live.Meta.Compaction.Level);
        Assert.Equal(sources.Select(s => s.Ulid).Order(), live.Meta.Compaction.Sources.Order());
        Assert.Equal(sources.Select(s => s.Ulid).Order(), live.Meta.Compaction.Parents.Select(p => p.Ulid).Order());
        Assert.Equal((Ms(0), Ms(2)), (live.Meta.MinTime, live.Meta.MaxTime));
        Assert.Equal(Tenant, live.Meta.Thanos!.Labels["__org_id__"]);
        Assert.Equal("compactor", live.Meta.Thanos.Source);
        foreach (var s in sources)
        {
            Assert.True(await _f.B.Bucket.ExistsAsync(BlockDeletionMark.GlobalKey(Tenant, s.Ulid)), $"replica {s.Ulid} not marked for deletion");
        }

        Assert.Equal(3, _f.CleanerMetrics.MarkedCompacted.Value);
        Assert.Equal(1, _f.Metrics.Compactions.Value);
        Assert.False(Directory.Exists(_f.Options.DataDir) && Directory.EnumerateFileSystemEntries(_f.Options.DataDir).Any(), "the job left files in the scratch directory");
    }

    [Fact]
    public async Task A_day_of_replicated_2h_blocks_ends_as_one_24h_block_in_one_run()
    {
        var parts = new List<Dictionary<MetricsCluster.Core.Labels, SortedDictionary<long, double>>>();
        for (int w = 0; w < 12; w++)
        {
            for (int r = 0; r < 3; r++)
            {
                // Replica r misses every 11th sample at offset r, so only the merge of all three holds all of them.
                int skip = r;
                var part = Samples(2 * w, (2 * w) + 2, 3, t => (t / 15_000) % 11 != skip);
                parts.Add(part);
                await _f.UploadAsync(2 * w, (2 * w) + 2, part);
            }
        }

        Assert.Equal(0, await _f.Compactor.CompactAsync(Tenant));

        var live = Assert.Single(await _f.LiveBlocksAsync());
        Assert.Equal((Ms(0), Ms(24)), (live.Meta.MinTime, live.Meta.MaxTime));
        Assert.Equal(36, live.Meta.Compaction.Sources.Count);
        Assert.Equal(4, live.Meta.Compaction.Level); // replicas → 2h (2), 2h → 12h (3), 12h → 24h (4)
        AssertExactly(parts, live.Series);
        Assert.Equal((ulong)live.Series.Sum(s => s.Value.Count), live.Meta.Stats.NumSamples);
    }

    [Fact]
    public async Task Ingester_blocks_wait_for_the_first_level_wait_period()
    {
        await _f.UploadAsync(0, 2, Samples(0, 2, 2));
        await _f.UploadAsync(0, 2, Samples(0, 2, 2));
        _f.Options.FirstLevelCompactionWaitPeriod = TimeSpan.FromMinutes(25);
        var waiting = new TenantCompactor(_f.B.Bucket, _f.Options, _f.Metrics, _f.CleanerMetrics, TimeProvider.System, NullLogger<TenantCompactor>.Instance);

        Assert.Equal(0, await waiting.CompactAsync(Tenant));

        Assert.Equal(2, (await _f.LiveBlocksAsync()).Count);
        Assert.Equal(0, _f.Metrics.Compactions.Value);
    }

    [Fact]
    public async Task A_run_cut_short_after_the_upload_is_finished_by_the_next_run_without_compacting_again()
    {
        var a = Samples(0, 2, 3);
        var sources = new[] { await _f.UploadAsync(0, 2, a), await _f.UploadAsync(0, 2, a), await _f.UploadAsync(0, 2, a) };
        var failing = new RecordingBucket(_f.B.Bucket) { FailPrefix = BlockDeletionMark.BlockKey(Tenant, sources[0].Ulid) };
        var crashing = new TenantCompactor(failing, _f.Options, _f.Metrics, _f.CleanerMetrics, TimeProvider.System, NullLogger<TenantCompactor>.Instance);

        // The new block is uploaded, then marking its sources fails: the state a crash at that moment leaves.
        Assert.Equal(1, await crashing.CompactAsync(Tenant));
        var blocks = (await TestBucket.KeysAsync(_f.B.Bucket, Tenant + "/")).Where(k => k.EndsWith("/meta.json", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, blocks.Count);

        Assert.Equal(0, await _f.Compactor.CompactAsync(Tenant));

        var live = Assert.Single(await _f.LiveBlocksAsync());
        Assert.Equal(sources.Select(s => s.Ulid).Order(), live.Meta.Compaction.Sources.Order());
        AssertExactly([a], live.Series);
        Assert.Equal(4, (await TestBucket.KeysAsync(_f.B.Bucket, Tenant + "/")).Count(k => k.EndsWith("/meta.json", StringComparison.Ordinal)));
        Assert.Equal((0, 1), (_f.Metrics.Compactions.Value, _f.Metrics.CompactionFailures.Value)); // the job that failed to mark; none since
        Assert.Equal(3, _f.CleanerMetrics.MarkedCompacted.Value);
    }

    [Fact]
    public async Task A_corrupt_source_gets_a_no_compact_mark_naming_the_error_and_the_others_are_compacted_next_run()
    {
        var a = Samples(0, 2, 3);
        var good1 = await _f.UploadAsync(0, 2, a);
        var bad = await _f.UploadAsync(0, 2, a);
        var good2 = await _f.UploadAsync(0, 2, a);
        string chunkKey = $"{Tenant}/{bad.Ulid}/chunks/000001";
        byte[] chunks;
        await using (var s = await _f.B.Bucket.GetAsync(chunkKey))
        using (var ms = new MemoryStream())
        {
            await s.CopyToAsync(ms);
            chunks = ms.ToArray();
        }

        chunks[^3] ^= 0xFF; // inside the last chunk's data or CRC: the CRC check fails
        await TestBucket.PutAsync(_f.B.Bucket, chunkKey, chunks);

        Assert.Equal(1, await _f.Compactor.CompactAsync(Tenant));

        string markKey = NoCompactMark.GlobalKey(Tenant, bad.Ulid);
        Assert.True(await _f.B.Bucket.ExistsAsync(markKey));
        Assert.True(await _f.B.Bucket.ExistsAsync(NoCompactMark.BlockKey(Tenant, bad.Ulid)));
        await using (var s = await _f.B.Bucket.GetAsync(markKey))
        using (var doc = await System.Text.Json.JsonDocument.ParseAsync(s))
        {
            Assert.Equal(bad.Ulid.ToString(), doc.RootElement.GetProperty("id").GetString());
            Assert.Equal("critical", doc.RootElement.GetProperty("reason").GetString());
            Assert.Contains("crc", doc.RootElement.GetProperty("details").GetString()!, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(1, _f.Metrics.NoCompactMarked.Value);
        Assert.Equal(0, await _f.Compactor.CompactAsync(Tenant));
        var live = await _f.LiveBlocksAsync(skipReading: bad.Ulid);
        Assert.Equal(2, live.Count); // the corrupt block stays (queryable, never merged) beside the merge of the other two
        var merged = Assert.Single(live, l => l.Meta.Compaction.Level == 2);
        AssertExactly([a], merged.Series);
        Assert.Equal(new[] { good1.Ulid, good2.Ulid }.Order(), merged.Meta.Compaction.Sources.Order());
    }

    [Fact]
    public async Task With_split_shards_a_day_of_replicas_ends_as_one_24h_block_per_shard_each_series_in_one()
    {
        _f.Options.SplitAndMergeShards = 2;
        var splitting = new TenantCompactor(_f.B.Bucket, _f.Options, _f.Metrics, _f.CleanerMetrics, TimeProvider.System, NullLogger<TenantCompactor>.Instance);
        var parts = new List<Dictionary<MetricsCluster.Core.Labels, SortedDictionary<long, double>>>();
        for (int w = 0; w < 12; w++)
        {
            for (int r = 0; r < 3; r++)
            {
                int skip = r;
                var part = Samples(2 * w, (2 * w) + 2, 8, t => (t / 15_000) % 11 != skip);
                parts.Add(part);
                await _f.UploadAsync(2 * w, (2 * w) + 2, part);
            }
        }

        Assert.Equal(0, await splitting.CompactAsync(Tenant));

        var live = await _f.LiveBlocksAsync();
        Assert.Equal(2, live.Count);
        Assert.Equal(["1_of_2", "2_of_2"], live.Select(b => b.Meta.Thanos!.Labels[MetricsCluster.Tsdb.Block.Compaction.BlockMerger.ShardIdLabel]).Order());
        Assert.All(live, b => Assert.Equal((Ms(0), Ms(24)), (b.Meta.MinTime, b.Meta.MaxTime)));
        Assert.All(live, b => Assert.Equal(36, b.Meta.Compaction.Sources.Count));
        Assert.Empty(live[0].Series.Keys.Intersect(live[1].Series.Keys));
        var all = live.SelectMany(b => b.Series).ToDictionary(kv => kv.Key, kv => kv.Value);
        AssertExactly(parts, all);
    }

    [Fact]
    public async Task A_process_compacts_one_tenant_at_a_time_by_default()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bucket = new RecordingBucket(_f.B.Bucket) { BeforeList = p => p == "a/" ? held.Task : Task.CompletedTask };
        var compactor = new TenantCompactor(bucket, _f.Options, _f.Metrics, _f.CleanerMetrics, TimeProvider.System, NullLogger<TenantCompactor>.Instance);

        var a = compactor.CompactAsync("a");
        await Wait.UntilAsync(() => bucket.Lists.Contains("a/"), "tenant a's run to list its blocks");
        var b = compactor.CompactAsync("b");
        Assert.DoesNotContain("b/", bucket.Lists);
        held.SetResult();
        await Task.WhenAll(a, b);

        // Tenant b started only once a's run had ended: every listing of a comes before the first of b.
        var order = bucket.Lists.ToList();
        Assert.True(order.FindLastIndex(l => l.StartsWith("a/", StringComparison.Ordinal)) < order.FindIndex(l => l.StartsWith("b/", StringComparison.Ordinal)), string.Join(", ", order));
    }
}
