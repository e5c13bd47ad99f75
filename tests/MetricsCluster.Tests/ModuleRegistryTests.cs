using MetricsCluster.Config;
using MetricsCluster.Modules;
using Xunit;

namespace MetricsCluster.Host.Tests;

public sealed class ModuleRegistryTests
{
    [Theory]
    [InlineData("all", new[] { "distributor", "ingester", "querier", "query-frontend", "store-gateway", "compactor", "ruler", "server", "overrides", "ingester-service", "distributor-service", "all", "engine", "ingester-ring", "store-gateway-ring", "compactor-ring", "blocks-bucket", "ingester-client", "ingester-queryable", "store-queryable", "queryable" })]
    [InlineData("write", new[] { "distributor", "ingester", "server", "overrides", "ingester-service", "distributor-service", "write", "engine", "ingester-ring", "blocks-bucket", "ingester-client" })]
    [InlineData("ingester", new[] { "ingester", "server", "overrides", "ingester-service", "engine", "ingester-ring", "blocks-bucket" })]
    [InlineData("ruler", new[] { "ruler", "server", "overrides", "engine", "queryable", "ingester-queryable", "store-queryable", "ingester-client", "ingester-ring", "store-gateway-ring", "blocks-bucket", "distributor-service" })]
    [InlineData("querier,ingester", new[] { "querier", "ingester", "server", "overrides", "ingester-service", "engine", "ingester-ring", "store-gateway-ring", "blocks-bucket", "ingester-client", "ingester-queryable", "store-queryable", "queryable" })]
    [InlineData("store-gateway", new[] { "store-gateway", "server", "engine", "store-gateway-ring", "blocks-bucket" })]
    [InlineData("compactor", new[] { "compactor", "server", "overrides", "engine", "compactor-ring", "blocks-bucket" })]
    [InlineData("agent", new[] { "agent", "server", "engine" })]
    [InlineData("distributor", new[] { "distributor", "server", "overrides", "distributor-service", "engine", "ingester-ring", "ingester-client" })]
    [InlineData("querier", new[] { "querier", "server", "overrides", "engine", "ingester-ring", "store-gateway-ring", "blocks-bucket", "ingester-client", "ingester-queryable", "store-queryable", "queryable" })]
    [InlineData("query-frontend", new[] { "query-frontend", "server", "engine" })]
    public void Targets_expand_to_their_dependencies(string target, string[] expected) =>
        Assert.Equal(expected.Order(), ModuleRegistry.Resolve(target).Order());

    [Theory]
    [InlineData("", true)]
    [InlineData("http://querier:8080", false)]
    public void The_query_frontend_brings_its_querier_unless_it_forwards_to_a_downstream_url(string url, bool querier)
    {
        var modules = ModuleRegistry.Resolve("query-frontend");
        ModuleRegistry.Expand(modules, new ClusterConfig { QueryFrontendDownstreamUrl = url });

        var expected = new HashSet<string>(["query-frontend", "server", "engine"]);
        if (querier)
        {
            expected.UnionWith(ModuleRegistry.Resolve("querier"));
        }

        Assert.Equal(expected.Order(), modules.Order());
    }

    [Theory]
    [InlineData("backend", "not available in this version")]
    [InlineData("nope", "unknown target \"nope\"")]
    [InlineData("", "at least one module")]
    public void Bad_targets_are_explained(string target, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => ModuleRegistry.Resolve(target)).Message);

    public static TheoryData<string> Targets()
    {
        var data = new TheoryData<string>();
        foreach (string target in ModuleRegistry.UserVisible)
        {
            data.Add(target);
        }

        data.Add("querier,ingester");
        data.Add("store-gateway,compactor,agent");
        return data;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_target_starts_in_an_acyclic_deterministic_dependency_order(string target)
    {
        var modules = ModuleRegistry.Resolve(target);
        var order = ModuleRegistry.StartOrder(modules);

        // Every module once, each after all of its dependencies, stages never going back.
        Assert.Equal(modules.Order(StringComparer.Ordinal), order.Order(StringComparer.Ordinal));
        for (int i = 0; i < order.Count; i++)
        {
            foreach (string dep in ModuleRegistry.Dependencies[order[i]])
            {
                Assert.True(order.Take(i).Contains(dep), $"{order[i]} starts before its dependency {dep}");
            }

            if (i > 0)
            {
                Assert.True(ModuleRegistry.StageOf(order[i - 1]) <= ModuleRegistry.StageOf(order[i]), $"{order[i]} starts in an earlier stage than {order[i - 1]}");
            }
        }

        // Deterministic: the same order whatever order the set was built in.
        var reversed = new HashSet<string>(modules.Order(StringComparer.Ordinal).Reverse(), StringComparer.Ordinal);
        Assert.Equal(order, ModuleRegistry.StartOrder(reversed));
        Assert.Equal("engine", order[0]);
    }

    [Fact]
    public void The_whole_graph_is_acyclic()
    {
        var everything = ModuleRegistry.Dependencies.Keys.ToHashSet(StringComparer.Ordinal);
        Assert.Equal(everything.Count, ModuleRegistry.StartOrder(everything).Count);
    }

    [Fact]
    public void The_engine_starts_before_the_rings_before_the_ingester_lifecycle_before_the_agent()
    {
        var modules = ModuleRegistry.Resolve("all");
        modules.Add(ModuleRegistry.Agent);
        var order = ModuleRegistry.StartOrder(modules).ToList();
        int engine = order.IndexOf(ModuleRegistry.Engine);
        int ingester = order.IndexOf(ModuleRegistry.IngesterService);
        foreach (string ring in new[] { ModuleRegistry.IngesterRing, ModuleRegistry.StoreGatewayRing, ModuleRegistry.CompactorRing })
        {
            Assert.InRange(order.IndexOf(ring), engine + 1, ingester - 1);
        }

        foreach (string component in new[] { ModuleRegistry.StoreGateway, ModuleRegistry.Compactor, ModuleRegistry.DistributorService, ModuleRegistry.Querier, ModuleRegistry.Agent })
        {
            Assert.True(order.IndexOf(component) > ingester, $"{component} starts after the ingester's lifecycle");
        }

        Assert.Equal(ModuleRegistry.Agent, order[^1]);
        Assert.Equal(ModuleStage.Runtime, ModuleRegistry.StageOf(ModuleRegistry.Engine));
    }
}
