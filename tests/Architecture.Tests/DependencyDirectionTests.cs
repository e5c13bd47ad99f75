using System.Reflection;
using Xunit;

namespace MetricsCluster.Architecture.Tests;

/// <summary>
/// G4: components reference the shared libraries (Core, Tsdb, ObjectStore, Storage, PromQL, Cluster), never each
/// other; only the host references everything. A new reference that breaks this fails here.
/// </summary>
public sealed class DependencyDirectionTests
{
    private static readonly string[] s_shared = ["MetricsCluster.Core", "MetricsCluster.Tsdb", "MetricsCluster.ObjectStore", "MetricsCluster.Storage", "MetricsCluster.PromQL", "MetricsCluster.Cluster"];

    public static TheoryData<string, string[]> Allowed => new()
    {
        { "MetricsCluster.Core", [] },
        { "MetricsCluster.Tsdb", ["MetricsCluster.Core"] },
        { "MetricsCluster.PromQL", ["MetricsCluster.Core"] },
        { "MetricsCluster.ObjectStore", ["MetricsCluster.Core"] },

        // Block-level storage on top of the bucket (shipper, bucket index), shared by ingester, store-gateway and compactor.
        { "MetricsCluster.Storage", ["MetricsCluster.Core", "MetricsCluster.Tsdb", "MetricsCluster.ObjectStore"] },

        // Cluster mode (ring, membership stores, RPC) adapts the Core and Storage contracts; no component.
        { "MetricsCluster.Cluster", ["MetricsCluster.Core", "MetricsCluster.Tsdb", "MetricsCluster.ObjectStore", "MetricsCluster.Storage"] },
        { "MetricsCluster.Distributor", s_shared },
        { "MetricsCluster.Ingester", s_shared },
        { "MetricsCluster.Querier", s_shared },
        { "MetricsCluster.StoreGateway", s_shared },
        { "MetricsCluster.Compactor", s_shared },

        // The ruler queries through PromQL over a Core queryable and writes through a Core contract the host binds.
        { "MetricsCluster.Ruler", s_shared },

        // The query-frontend splits, caches and queues PromQL queries; it reaches the querier through its own contract (G3).
        { "MetricsCluster.QueryFrontend", s_shared },

        // The scraping agent only needs the shared types; it writes through remote write or an in-process sink.
        { "MetricsCluster.Agent", s_shared },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Assemblies_reference_only_what_the_architecture_allows(string assembly, string[] allowed)
    {
        var refs = Assembly.Load(assembly).GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("MetricsCluster.", StringComparison.Ordinal))
            .ToList();
        var forbidden = refs.Except(allowed).ToList();
        Assert.True(forbidden.Count == 0, $"{assembly} must not reference {string.Join(", ", forbidden)} (G4)");
    }
}
