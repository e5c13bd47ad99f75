using MetricsCluster.Core.Limits;
using MetricsCluster.ObjectStore;
using MetricsCluster.ObjectStore.Tests;
using MetricsCluster.Storage;
using Xunit;

namespace MetricsCluster.Compactor.Tests;

/// <summary>Retention end to end against moto_server on loopback (fails, never skips, without it).</summary>
public sealed class BlocksCleanerS3Tests : IClassFixture<MotoServer>
{
    private readonly MotoServer _moto;

    public BlocksCleanerS3Tests(MotoServer moto) => _moto = moto;

    [Fact]
    public async Task Marks_deletes_and_drops_the_index_on_s3()
    {
        using var bucket = new S3Bucket(_moto.Config(_moto.CreateBucket()));
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var old = await TestBucket.PutBlockAsync(bucket, "t1", 0, 7_200_000);
        var f = new CleanerFixture(bucket, now, new Limits { CompactorBlocksRetentionPeriod = TimeSpan.FromDays(1) }, deletionDelay: TimeSpan.FromHours(1));

        await f.RunAsync();
        Assert.True(await bucket.ExistsAsync(BlockDeletionMark.BlockKey("t1", old)));
        Assert.Equal([new BlockDeletionMark(old, now.ToUnixTimeSeconds())], (await new BucketIndexReader(bucket).ReadAsync("t1"))!.BlockDeletionMarks);

        f.Clock.Now = now.AddHours(2);
        await f.RunAsync();

        Assert.Empty(await TestBucket.KeysAsync(bucket, "t1/"));
        Assert.Equal(1, f.Metrics.Cleaned.Value);
    }
}
