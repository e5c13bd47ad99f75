using MetricsCluster.Cluster.Ring;
using Xunit;

namespace MetricsCluster.Cluster.Tests;

public sealed class ShardKeyTests
{
    [Fact]
    public void Same_series_of_two_tenants_gets_different_keys()
    {
        Assert.NotEqual(ShardKey.ForSeries(ShardKey.TenantSeed("a"), 42), ShardKey.ForSeries(ShardKey.TenantSeed("b"), 42));
    }

    [Fact]
    public void Keys_are_stable_across_processes()
    {
        // A wire contract: every distributor must place a series on the same instances, whatever its version.
        Assert.Equal(ShardKey.ForSeries(ShardKey.TenantSeed("team-a"), 0x1234_5678_9ABC_DEF0UL), ShardKey.ForSeries(ShardKey.TenantSeed("team-a"), 0x1234_5678_9ABC_DEF0UL));
        Assert.Equal(14695981039346656037UL, ShardKey.TenantSeed(string.Empty));
    }

    [Fact]
    public void Consecutive_hashes_spread_over_the_token_space()
    {
        // 4 quarters of the 32-bit space each get roughly a quarter of 40k consecutive series hashes.
        var quarters = new int[4];
        ulong seed = ShardKey.TenantSeed("t");
        for (ulong i = 0; i < 40_000; i++)
        {
            quarters[ShardKey.ForSeries(seed, i) >> 30]++;
        }

        Assert.All(quarters, q => Assert.InRange(q, 9_000, 11_000));
    }
}
