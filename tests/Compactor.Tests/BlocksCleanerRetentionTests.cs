using System.Text;
using MetricsCluster.Core.Limits;
using MetricsCluster.Storage;
using Xunit;

namespace MetricsCluster.Compactor.Tests;

public sealed class BlocksCleanerRetentionTests : IDisposable
{
    private const string Tenant = "team-a";
    private static readonly DateTimeOffset s_now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private readonly TestBucket _b = new();

    public void Dispose() => _b.Dispose();

    [Fact]
    public async Task Marks_only_blocks_strictly_older_than_now_minus_retention_in_both_places()
    {
        long cutoff = s_now.ToUnixTimeMilliseconds() - (long)TimeSpan.FromDays(1).TotalMilliseconds;
        var atBoundary = await _b.PutBlockAsync(Tenant, cutoff - 7_200_000, cutoff);
        var justOlder = await _b.PutBlockAsync(Tenant, cutoff - 7_200_001, cutoff - 1);
        var f = new CleanerFixture(_b.Bucket, s_now, new Limits { CompactorBlocksRetentionPeriod = TimeSpan.FromDays(1) });

        await f.Cleaner.CleanTenantAsync(Tenant);

        Assert.False(await _b.Bucket.ExistsAsync(BlockDeletionMark.BlockKey(Tenant, atBoundary)));
        Assert.False(await _b.Bucket.ExistsAsync(BlockDeletionMark.GlobalKey(Tenant, atBoundary)));
        var expected = new BlockDeletionMark(justOlder, s_now.ToUnixTimeSeconds());
        Assert.Equal(expected, await TestBucket.ReadMarkAsync(_b.Bucket, BlockDeletionMark.BlockKey(Tenant, justOlder), justOlder));
        Assert.Equal(expected, await TestBucket.ReadMarkAsync(_b.Bucket, BlockDeletionMark.GlobalKey(Tenant, justOlder), justOlder));
        Assert.Equal(1, f.Metrics.MarkedForRetention.Value);

        // The marker is Thanos' JSON, and the rewritten index lists both blocks (marked ones stay until deleted) and the mark.
        await using (var s = await _b.Bucket.GetAsync(BlockDeletionMark.GlobalKey(Tenant, justOlder)))
        {
            Assert.Equal($"{{\"id\":\"{justOlder}\",\"deletion_time\":1800000000,\"version\":1}}", await new StreamReader(s, Encoding.UTF8).ReadToEndAsync());
        }

        var index = await new BucketIndexReader(_b.Bucket).ReadAsync(Tenant);
        Assert.NotNull(index);
        Assert.Equal(new[] { atBoundary, justOlder }.Order(), index.Blocks.Select(b => b.Id));
        Assert.Equal([expected], index.BlockDeletionMarks);
        Assert.Equal(s_now.ToUnixTimeSeconds(), index.UpdatedAt);
    }

    [Fact]
    public async Task Retention_zero_keeps_even_ancient_blocks_forever()
    {
        var old = await _b.PutBlockAsync(Tenant, 0, 7_200_000);
        var f = new CleanerFixture(_b.Bucket, s_now, new Limits { CompactorBlocksRetentionPeriod = TimeSpan.Zero }, deletionDelay: TimeSpan.Zero);

        await f.RunAsync();
        f.Clock.Now = s_now.AddYears(10);
        await f.RunAsync();

        Assert.Equal(
            [$"{Tenant}/{old}/chunks/000001", $"{Tenant}/{old}/index", $"{Tenant}/{old}/meta.json", $"{Tenant}/bucket-index.json.gz"],
            await TestBucket.KeysAsync(_b.Bucket, Tenant));
        Assert.Equal(0, f.Metrics.MarkedForRetention.Value);
    }

    [Fact]
    public async Task A_per_tenant_override_applies_to_that_tenant_only()
    {
        long hourAgo = s_now.AddHours(-2).ToUnixTimeMilliseconds();
        var kept = await _b.PutBlockAsync("default-tenant", hourAgo - 7_200_000, hourAgo);
        var marked = await _b.PutBlockAsync("short-tenant", hourAgo - 7_200_000, hourAgo);
        var f = new CleanerFixture(
            _b.Bucket,
            s_now,
            new Limits { CompactorBlocksRetentionPeriod = TimeSpan.FromDays(30) },
            new Dictionary<string, Limits> { ["short-tenant"] = new() { CompactorBlocksRetentionPeriod = TimeSpan.FromHours(1) } });

        await f.RunAsync();

        Assert.False(await _b.Bucket.ExistsAsync(BlockDeletionMark.GlobalKey("default-tenant", kept)));
        Assert.True(await _b.Bucket.ExistsAsync(BlockDeletionMark.GlobalKey("short-tenant", marked)));
        Assert.Equal(1, f.Metrics.MarkedForRetention.Value);
    }

    [Fact]
    public async Task Reruns_are_idempotent_and_keep_the_first_deletion_time()
    {
        var old = await _b.PutBlockAsync(Tenant, 0, 7_200_000);
        var f = new CleanerFixture(_b.Bucket, s_now, new Limits { CompactorBlocksRetentionPeriod = TimeSpan.FromDays(1) });
        await f.RunAsync();
        var afterFirst = await TestBucket.KeysAsync(_b.Bucket, Tenant);

        f.Clock.Now = s_now.AddHours(1);
        await f.RunAsync();
        await f.RunAsync();

        Assert.Equal(afterFirst, await TestBucket.KeysAsync(_b.Bucket, Tenant));
        Assert.Equal(1, f.Metrics.MarkedForRetention.Value);
        var mark = new BlockDeletionMark(old, s_now.ToUnixTimeSeconds());
        Assert.Equal(mark, await TestBucket.ReadMarkAsync(_b.Bucket, BlockDeletionMark.GlobalKey(Tenant, old), old));
        Assert.Equal([mark], (await new BucketIndexReader(_b.Bucket).ReadAsync(Tenant))!.BlockDeletionMarks);
    }

    [Fact]
    public async Task A_lost_global_marker_is_restored_from_the_block_marker()
    {
        // A run cut short between the two uploads: only the block-dir marker exists.
        var old = await _b.PutBlockAsync(Tenant, 0, 7_200_000);
        var original = new BlockDeletionMark(old, s_now.ToUnixTimeSeconds() - 60);
        await TestBucket.PutAsync(_b.Bucket, BlockDeletionMark.BlockKey(Tenant, old), original.ToMarkerJson());
        var f = new CleanerFixture(_b.Bucket, s_now, new Limits { CompactorBlocksRetentionPeriod = TimeSpan.FromDays(1) });

        await f.RunAsync();

        Assert.Equal(original, await TestBucket.ReadMarkAsync(_b.Bucket, BlockDeletionMark.GlobalKey(Tenant, old), old));
        Assert.Equal([original], (await new BucketIndexReader(_b.Bucket).ReadAsync(Tenant))!.BlockDeletionMarks);
        Assert.Equal(0, f.Metrics.MarkedForRetention.Value);
    }
}
