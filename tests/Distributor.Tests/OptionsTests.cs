using MetricsCluster.Core.Limits;
using Xunit;

namespace MetricsCluster.Distributor.Tests;

public class OptionsTests
{
    [Fact]
    public void DefaultsAreMimirs()
    {
        var v = new Limits();
        Assert.Equal(30, v.MaxLabelNamesPerSeries);
        Assert.Equal(1024, v.MaxLabelNameLength);
        Assert.Equal(2048, v.MaxLabelValueLength);
        Assert.Equal(1024, v.MaxMetadataLength);
        Assert.Equal(TimeSpan.FromMinutes(10), v.CreationGracePeriod);
        Assert.Equal(TimeSpan.Zero, v.PastGracePeriod);
        var d = new DistributorOptions();
        Assert.Equal(100 * 1024 * 1024, d.MaxRecvMsgSize);
        Assert.Equal(2000, d.MaxInflightPushRequests);
        Assert.Equal(1L << 30, d.MaxInflightPushRequestsBytes);
        Assert.Equal(10_000, v.IngestionRate);
        Assert.Equal(200_000, v.IngestionBurstSize);
        v.Validate();
        d.Validate();
    }

    // The per-tenant limits' own validation (Core's Limits.Validate) is tested in Core.Tests/LimitsTests.
    public static TheoryData<Action<DistributorOptions>, string> BadDistributor => new()
    {
        { d => d.MaxRecvMsgSize = 0, "-distributor.max-recv-msg-size" },
        { d => d.MaxInflightPushRequests = -1, "-distributor.instance-limits.max-inflight-push-requests" },
        { d => d.MaxInflightPushRequestsBytes = -1, "-distributor.instance-limits.max-inflight-push-requests-bytes" },
        { d => d.MaxInflightPushRequestsBytes = (3L * d.MaxRecvMsgSize) - 1, "-distributor.instance-limits.max-inflight-push-requests-bytes" },
    };

    [Theory]
    [MemberData(nameof(BadDistributor))]
    public void DistributorOptionsNameTheFlag(Action<DistributorOptions> change, string flag)
    {
        var d = new DistributorOptions();
        change(d);
        Assert.Contains(flag, Assert.Throws<ArgumentException>(d.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverridesReplaceTheDefaultsForThatTenantOnly()
    {
        var special = new Limits { IngestionRate = 1, IngestionBurstSize = 2 };
        var limits = new StaticOverrides(new Limits(), new Dictionary<string, Limits> { ["x"] = special });
        Assert.Same(special, limits.For("x"));
        Assert.Equal(10_000, limits.For("y").IngestionRate);
    }
}
