using MetricsCluster.Config;
using MetricsCluster.Core.Limits;
using Xunit;

namespace MetricsCluster.Host.Tests;

public sealed class RulerLimitsConfigTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"mc-ruler-limits-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task Defaults_are_mimirs_and_flags_set_every_tenants_default()
    {
        var defaults = new ClusterConfig().Limits;
        Assert.Equal((70, 20), (defaults.RulerMaxRuleGroupsPerTenant, defaults.RulerMaxRulesPerRuleGroup));

        ClusterConfig? seen = null;
        var root = Config.CommandLine.Build((c, _) =>
        {
            seen = c;
            return Task.FromResult(0);
        });
        Assert.Equal(0, await root.Parse(["--ruler.max-rule-groups-per-tenant=5", "--ruler.max-rules-per-rule-group=0"]).InvokeAsync());

        var limits = new StaticOverrides(seen!.Limits).For("any-tenant");
        Assert.Equal((5, 0), (limits.RulerMaxRuleGroupsPerTenant, limits.RulerMaxRulesPerRuleGroup));
    }

    [Theory]
    [InlineData("limits:\n  ruler_max_rule_groups_per_tenant: 7\n  ruler_max_rules_per_rule_group: 3\n")]
    [InlineData("ruler:\n  max_rule_groups_per_tenant: 7\n  max_rules_per_rule_group: 3\n")]
    public void Yaml_takes_mimirs_limits_keys_and_the_flag_shaped_keys(string yaml)
    {
        File.WriteAllText(_file, yaml);
        var c = new ClusterConfig();
        YamlConfigFile.Apply(_file, c);
        Assert.Equal((7, 3), (c.Limits.RulerMaxRuleGroupsPerTenant, c.Limits.RulerMaxRulesPerRuleGroup));
    }

    [Fact]
    public void A_negative_limit_names_its_key()
    {
        var c = new ClusterConfig { Limits = new Limits { RulerMaxRulesPerRuleGroup = -1 } };
        Assert.Contains("ruler_max_rules_per_rule_group (--ruler.max-rules-per-rule-group)", Assert.Throws<ConfigException>(c.Validate).Message, StringComparison.Ordinal);
    }
}
