using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Compactor.Tests;

/// <summary>
/// Which bucket directories the compactor treats as tenants: every valid tenant id, "hidden" and ".tmp"-looking ones
/// included, and nothing else (issue 12, rows 1 and 5).
/// </summary>
public sealed class BlocksCleanerTenantTests : IDisposable
{
    private static readonly DateTimeOffset s_now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private readonly TestBucket _b = new();

    public void Dispose() => _b.Dispose();

    [Fact]
    public async Task Every_valid_tenant_gets_a_bucket_index_and_other_directories_are_left_alone()
    {
        string[] tenants = [".a", ".mc-tmp", "a.tmp.b", "x.tmp"];
        var blocks = new Dictionary<string, Ulid>();
        foreach (string tenant in tenants)
        {
            blocks[tenant] = await _b.PutBlockAsync(tenant, 0, 7_200_000);
        }

        await _b.PutBlockAsync("not a tenant", 0, 7_200_000);
        var f = new CleanerFixture(_b.Bucket, s_now);

        await f.RunAsync();

        foreach (string tenant in tenants)
        {
            var index = await new BucketIndexReader(_b.Bucket).ReadAsync(tenant);
            Assert.NotNull(index);
            Assert.Equal([blocks[tenant]], index.Blocks.Select(b => b.Id));
        }

        Assert.Null(await new BucketIndexReader(_b.Bucket).ReadAsync("not a tenant"));
    }
}
