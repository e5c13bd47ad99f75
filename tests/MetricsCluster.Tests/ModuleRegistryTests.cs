using MetricsCluster.Config;
using Xunit;

namespace MetricsCluster.Host.Tests;

public sealed class ModuleRegistryTests
{
    [Theory]
    [InlineData("all", new[] { "distributor", "ingester", "querier", "store-gateway", "compactor", "server", "overrides", "ingester-service", "distributor-service", "all" })]
    [InlineData("write", new[] { "distributor", "ingester", "server", "overrides", "ingester-service", "distributor-service", "write" })]
    [InlineData("ingester", new[] { "ingester", "server", "overrides", "ingester-service" })]
    [InlineData("querier,ingester", new[] { "querier", "ingester", "server", "overrides", "ingester-service" })]
    [InlineData("store-gateway", new[] { "store-gateway", "server" })]
    [InlineData("compactor", new[] { "compactor", "server", "overrides" })]
    [InlineData("agent", new[] { "agent", "server" })]
    [InlineData("distributor", new[] { "distributor", "server", "overrides", "distributor-service" })]
    [InlineData("querier", new[] { "querier", "server" })]
    public void Targets_expand_to_their_dependencies(string target, string[] expected) =>
        Assert.Equal(expected.Order(), ModuleRegistry.Resolve(target).Order());

    [Theory]
    [InlineData("ruler", "not available in this version")]
    [InlineData("nope", "unknown target \"nope\"")]
    [InlineData("", "at least one module")]
    public void Bad_targets_are_explained(string target, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => ModuleRegistry.Resolve(target)).Message);
}
