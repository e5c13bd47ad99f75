using MetricsCluster.Core.Limits;
using Xunit;

namespace MetricsCluster.Core.Tests;

// Inside the namespace: from here "Limits" would otherwise find the namespace MetricsCluster.Core.Limits.
using Limits = MetricsCluster.Core.Limits.Limits;

public class LimitsTests
{
    public static TheoryData<Func<Limits, Limits>, string> BadLimits => new()
    {
        { l => l with { MaxLabelNamesPerSeries = 0 }, "validation.max-label-names-per-series" },
        { l => l with { MaxLabelNameLength = -1 }, "validation.max-length-label-name" },
        { l => l with { MaxLabelValueLength = 0 }, "validation.max-length-label-value" },
        { l => l with { MaxMetadataLength = 0 }, "validation.max-metadata-length" },
        { l => l with { CreationGracePeriod = TimeSpan.FromSeconds(-1) }, "validation.create-grace-period" },
        { l => l with { PastGracePeriod = TimeSpan.FromSeconds(-1) }, "validation.past-grace-period" },
        { l => l with { IngestionRate = -1 }, "distributor.ingestion-rate-limit" },
        { l => l with { IngestionRate = double.NaN }, "distributor.ingestion-rate-limit" },
        { l => l with { IngestionBurstSize = -1 }, "distributor.ingestion-burst-size" },
        { l => l with { MaxGlobalSeriesPerUser = -1 }, "ingester.max-global-series-per-user" },
        { l => l with { RulerMaxRuleGroupsPerTenant = -1 }, "ruler.max-rule-groups-per-tenant" },
        { l => l with { RulerMaxRulesPerRuleGroup = -1 }, "ruler.max-rules-per-rule-group" },
    };

    [Theory]
    [MemberData(nameof(BadLimits))]
    public void ValidateNamesTheFlag(Func<Limits, Limits> change, string flag)
    {
        var l = change(new Limits());
        Assert.Contains(flag, Assert.Throws<ArgumentException>(l.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StaticOverridesFallBackToTheDefaults()
    {
        var defaults = new Limits();
        var special = new Limits { MaxLabelNamesPerSeries = 1 };
        var overrides = new StaticOverrides(defaults, new Dictionary<string, Limits> { ["x"] = special });
        Assert.Same(special, overrides.For("x"));
        Assert.Same(defaults, overrides.For("y"));
        Assert.Same(defaults, new StaticOverrides(defaults).For("x"));
    }
}
