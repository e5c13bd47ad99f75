using MetricsCluster.Core.Limits;
using MetricsCluster.Storage;
using Xunit;

namespace MetricsCluster.Compactor.Tests;

public sealed class BlocksCleanerDeletionTests : IDisposable
{
    private const string Tenant = "team-a";
    private static readonly DateTimeOffset s_now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly Limits s_oneDay = new() { CompactorBlocksRetentionPeriod = TimeSpan.FromDays(1) };
    private readonly TestBucket _b = new();

    public void Dispose() => _b.Dispose();

    [Fact]
    public async Task Marked_blocks_are_deleted_only_once_the_mark_is_older_than_the_delay_and_the_index_follows()
    {
        long recent = s_now.ToUnixTimeMilliseconds();
        var old = await _b.PutBlockAsync(Tenant, 0, 7_200_000);
        var young = await _b.PutBlockAsync(Tenant, recent - 7_200_000, recent);
        var f = new CleanerFixture(_b.Bucket, s_now, s_oneDay, deletionDelay: TimeSpan.FromHours(12));
        await f.RunAsync();

        f.Clock.Now = s_now.AddHours(12);
        await f.RunAsync();
        Assert.True(await _b.Bucket.ExistsAsync($"{Tenant}/{old}/meta.json"), "a mark exactly deletion-delay old is kept");
        Assert.Equal(0, f.Metrics.Cleaned.Value);

        f.Clock.Now = s_now.AddHours(12).AddSeconds(1);
        await f.RunAsync();

        var keys = await TestBucket.KeysAsync(_b.Bucket, Tenant);
        Assert.DoesNotContain(keys, k => k.Contains(old.ToString(), StringComparison.Ordinal));
        Assert.Contains($"{Tenant}/{young}/meta.json", keys);
        Assert.Equal(1, f.Metrics.Cleaned.Value);
        var index = await new BucketIndexReader(_b.Bucket).ReadAsync(Tenant);
        Assert.NotNull(index);
        Assert.Equal([young], index.Blocks.Select(b => b.Id));
        Assert.Empty(index.BlockDeletionMarks);
        Assert.Equal(f.Clock.Now.ToUnixTimeSeconds(), index.UpdatedAt);
    }

    [Fact]
    public async Task Deletes_meta_first_and_the_global_marker_last()
    {
        var recording = new RecordingBucket(_b.Bucket);
        var old = await TestBucket.PutBlockAsync(recording, Tenant, 0, 7_200_000);
        var f = new CleanerFixture(recording, s_now, s_oneDay, deletionDelay: TimeSpan.Zero);
        await f.RunAsync();
        recording.Deletes.Clear();

        f.Clock.Now = s_now.AddSeconds(1);
        await f.RunAsync();

        var deletes = recording.Deletes.Where(k => k.Contains(old.ToString(), StringComparison.Ordinal)).ToList();
        Assert.Equal($"{Tenant}/{old}/meta.json", deletes[0]);
        Assert.Equal(
            [$"{Tenant}/{old}/chunks/000001", $"{Tenant}/{old}/index"],
            deletes.Skip(1).Take(2).Order(StringComparer.Ordinal));
        Assert.Equal(BlockDeletionMark.BlockKey(Tenant, old), deletes[3]);
        Assert.Equal(BlockDeletionMark.GlobalKey(Tenant, old), deletes[^1]);
    }

    [Fact]
    public async Task A_tenant_with_no_blocks_left_loses_its_bucket_index()
    {
        await _b.PutBlockAsync(Tenant, 0, 7_200_000);
        var f = new CleanerFixture(_b.Bucket, s_now, s_oneDay, deletionDelay: TimeSpan.FromHours(1));
        await f.RunAsync();
        Assert.True(await _b.Bucket.ExistsAsync(BucketIndex.Key(Tenant)));

        f.Clock.Now = s_now.AddHours(2);
        await f.RunAsync();

        Assert.Empty(await TestBucket.KeysAsync(_b.Bucket, Tenant));
    }

    [Fact]
    public async Task A_failing_tenant_is_reported_and_does_not_stop_the_others()
    {
        var recording = new RecordingBucket(_b.Bucket);
        await TestBucket.PutBlockAsync(recording, "a-broken", 0, 7_200_000);
        var good = await TestBucket.PutBlockAsync(recording, "z-good", 0, 7_200_000);
        recording.FailPrefix = "a-broken/";
        var f = new CleanerFixture(recording, s_now, s_oneDay);

        var failed = await f.Cleaner.RunOnceAsync();

        Assert.Equal(["a-broken"], failed);
        Assert.True(await _b.Bucket.ExistsAsync(BlockDeletionMark.GlobalKey("z-good", good)));
        Assert.Equal(1, f.Metrics.TenantFailures("a-broken").Value);
        Assert.Equal(0, f.Metrics.LastSuccessfulRun("a-broken").Value);
        Assert.Equal(s_now.ToUnixTimeSeconds(), f.Metrics.LastSuccessfulRun("z-good").Value);
        Assert.Contains("metricscluster_compactor_tenant_cleanup_failures_total{tenant=\"a-broken\"} 1", f.Registry.WriteText(), StringComparison.Ordinal);

        // Once the bucket recovers the tenant is cleaned like any other.
        recording.FailPrefix = null;
        Assert.Empty(await f.Cleaner.RunOnceAsync());
        Assert.Equal(2, f.Metrics.MarkedForRetention.Value);
    }
}
