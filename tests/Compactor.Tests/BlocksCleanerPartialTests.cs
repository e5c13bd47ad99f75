using MetricsCluster.Core.Limits;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Compactor.Tests;

public sealed class BlocksCleanerPartialTests : IDisposable
{
    private const string Tenant = "team-a";
    private readonly TestBucket _b = new();

    public void Dispose() => _b.Dispose();

    [Fact]
    public async Task A_half_deleted_block_is_finished_whatever_the_delay()
    {
        // What an interrupted delete leaves: meta.json gone, the block-dir mark still there.
        var id = Ulid.New(1, new Random(1));
        await TestBucket.PutAsync(_b.Bucket, $"{Tenant}/{id}/chunks/000001", [1]);
        await TestBucket.PutAsync(_b.Bucket, BlockDeletionMark.BlockKey(Tenant, id), new BlockDeletionMark(id, 1_700_000_000).ToMarkerJson());
        await TestBucket.PutAsync(_b.Bucket, BlockDeletionMark.GlobalKey(Tenant, id), new BlockDeletionMark(id, 1_700_000_000).ToMarkerJson());
        var kept = await _b.PutBlockAsync(Tenant, 0, 7_200_000);
        var f = new CleanerFixture(_b.Bucket, DateTimeOffset.UtcNow, deletionDelay: TimeSpan.FromDays(365 * 100));

        await f.RunAsync();

        var keys = await TestBucket.KeysAsync(_b.Bucket, Tenant);
        Assert.DoesNotContain(keys, k => k.Contains(id.ToString(), StringComparison.Ordinal));
        Assert.Equal(1, f.Metrics.Cleaned.Value);
        Assert.Equal([kept], (await new BucketIndexReader(_b.Bucket).ReadAsync(Tenant))!.Blocks.Select(b => b.Id));
    }

    [Fact]
    public async Task A_stale_partial_block_is_marked_then_deleted_and_a_fresh_one_or_a_corrupt_meta_is_left_alone()
    {
        var stale = Ulid.New(1, new Random(2));
        var corrupt = Ulid.New(2, new Random(3));
        await TestBucket.PutAsync(_b.Bucket, $"{Tenant}/{stale}/index", [1]);
        await TestBucket.PutAsync(_b.Bucket, $"{Tenant}/{corrupt}/meta.json", "{\"ulid\":"u8.ToArray());
        await TestBucket.PutAsync(_b.Bucket, $"{Tenant}/{corrupt}/index", [1]);

        // The filesystem bucket's last-modified is the file's real mtime: age the stale block by a week.
        File.SetLastWriteTimeUtc(Path.Combine(_b.Dir, Tenant, stale.ToString(), "index"), DateTime.UtcNow.AddDays(-7));
        var fresh = Ulid.New(3, new Random(4));
        await TestBucket.PutAsync(_b.Bucket, $"{Tenant}/{fresh}/index", [1]);
        var f = new CleanerFixture(_b.Bucket, DateTimeOffset.UtcNow, new Limits { CompactorPartialBlockDeletionDelay = TimeSpan.FromDays(1) });

        await f.RunAsync();
        Assert.True(await _b.Bucket.ExistsAsync(BlockDeletionMark.GlobalKey(Tenant, stale)));
        Assert.True(await _b.Bucket.ExistsAsync($"{Tenant}/{stale}/index"));
        Assert.Equal(1, f.Metrics.MarkedPartial.Value);

        await f.RunAsync();

        var keys = await TestBucket.KeysAsync(_b.Bucket, Tenant);
        Assert.DoesNotContain(keys, k => k.Contains(stale.ToString(), StringComparison.Ordinal));
        Assert.Contains($"{Tenant}/{fresh}/index", keys);
        Assert.Contains($"{Tenant}/{corrupt}/index", keys);
        Assert.DoesNotContain(keys, k => k.Contains("deletion-mark", StringComparison.Ordinal));
        Assert.Equal(1, f.Metrics.Cleaned.Value);
    }

    [Fact]
    public async Task A_zero_partial_delay_leaves_unmarked_partial_blocks_alone()
    {
        var stale = Ulid.New(1, new Random(5));
        await TestBucket.PutAsync(_b.Bucket, $"{Tenant}/{stale}/index", [1]);
        File.SetLastWriteTimeUtc(Path.Combine(_b.Dir, Tenant, stale.ToString(), "index"), DateTime.UtcNow.AddDays(-7));
        var f = new CleanerFixture(_b.Bucket, DateTimeOffset.UtcNow, new Limits { CompactorPartialBlockDeletionDelay = TimeSpan.Zero });

        await f.RunAsync();
        await f.RunAsync();

        Assert.Equal([$"{Tenant}/{stale}/index"], await TestBucket.KeysAsync(_b.Bucket, Tenant));
    }
}
