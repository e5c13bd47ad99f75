using Xunit;

namespace MetricsCluster.Distributor.Tests;

public class TokenBucketTests
{
    private static readonly DateTimeOffset s_t0 = ManualTimeProvider.DefaultStart;

    [Fact]
    public void BehavesLikeGoRateLimiterAllowN()
    {
        var b = new TokenBucket();
        Assert.True(b.TryTake(0, 10, 100, s_t0));
        Assert.True(b.TryTake(60, 10, 100, s_t0)); // Starts full.
        Assert.False(b.TryTake(41, 10, 100, s_t0)); // All or nothing: 40 left, none taken.
        Assert.True(b.TryTake(40, 10, 100, s_t0));
        Assert.False(b.TryTake(1, 10, 100, s_t0));
        Assert.True(b.TryTake(5, 10, 100, s_t0.AddMilliseconds(500))); // Refills continuously.
        Assert.False(b.TryTake(1, 10, 100, s_t0.AddMilliseconds(500)));
        Assert.True(b.TryTake(100, 10, 100, s_t0.AddHours(1))); // Capped at the burst.
        Assert.False(b.TryTake(1, 10, 100, s_t0.AddHours(1)));
    }

    [Fact]
    public void MoreThanTheBurstNeverFits()
    {
        var b = new TokenBucket();
        Assert.False(b.TryTake(101, 10, 100, s_t0));
        Assert.False(b.TryTake(101, 10, 100, s_t0.AddDays(1)));
    }

    [Fact]
    public void ClockGoingBackwardsRefillsNothing()
    {
        var b = new TokenBucket();
        Assert.True(b.TryTake(100, 10, 100, s_t0));
        Assert.False(b.TryTake(1, 10, 100, s_t0.AddSeconds(-10)));
        Assert.False(b.TryTake(1, 10, 100, s_t0)); // No refill for the time "regained".
        Assert.True(b.TryTake(10, 10, 100, s_t0.AddSeconds(1)));
    }

    [Fact]
    public void AnInfiniteRateAdmitsEverythingAsGoRateInf()
    {
        var b = new TokenBucket();
        Assert.True(b.TryTake(1_000_000, double.PositiveInfinity, 0, s_t0));
        Assert.True(b.TryTake(1_000_000, double.PositiveInfinity, 0, s_t0));
        Assert.False(b.TryTake(1, 10, 0, s_t0)); // Back to a finite rate: the bucket applies again.
    }

    [Fact]
    public void ALowerBurstOverrideCapsTheStoredTokens()
    {
        var b = new TokenBucket();
        Assert.True(b.TryTake(0, 10, 100, s_t0));
        Assert.False(b.TryTake(50, 10, 20, s_t0));
        Assert.True(b.TryTake(20, 10, 20, s_t0));
    }
}
