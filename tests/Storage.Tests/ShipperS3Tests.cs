using MetricsCluster.ObjectStore;
using MetricsCluster.ObjectStore.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Storage.Tests;

/// <summary>The shipping happy path and the bucket index against moto_server on loopback (fails, never skips, without it).</summary>
public sealed class ShipperS3Tests : IClassFixture<MotoServer>, IDisposable
{
    private readonly TestDirs _dirs = new();
    private readonly MotoServer _moto;

    public ShipperS3Tests(MotoServer moto) => _moto = moto;

    public void Dispose() => _dirs.Dispose();

    [Fact]
    public async Task Ships_blocks_to_s3_byte_for_byte_idempotently_and_indexes_them()
    {
        var metas = Enumerable.Range(0, 2).Select(i => _dirs.CutBlock(i * 7_200_000L)).ToList();
        using var bucket = new RecordingBucket(new S3Bucket(_moto.Config(_moto.CreateBucket())));

        Assert.Equal(2, await _dirs.Shipper(bucket).ShipAsync());
        Assert.Equal(0, await _dirs.Shipper(bucket).ShipAsync());

        var expected = metas.SelectMany(m => _dirs.ExpectedObjects(m.Ulid)).ToDictionary(kv => kv.Key, kv => kv.Value);
        await BucketAssert.ContainsExactlyAsync(bucket, expected);
        Assert.Equal(expected.Count, bucket.Uploads.Count);
        Assert.EndsWith("meta.json", bucket.Uploads.Last(), StringComparison.Ordinal);

        await new BucketIndexWriter(bucket, TimeProvider.System, NullLogger.Instance).WriteAsync(TestDirs.Tenant);
        var index = await new BucketIndexReader(bucket).ReadAsync(TestDirs.Tenant);
        Assert.NotNull(index);
        Assert.Equal(metas.Select(m => m.Ulid).Order(), index.Blocks.Select(b => b.Id));
    }
}
