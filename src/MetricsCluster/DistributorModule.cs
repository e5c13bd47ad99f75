using MetricsCluster.Config;
using MetricsCluster.Distributor;
using MetricsCluster.Http;

namespace MetricsCluster;

/// <summary>Init and Map of the distributor module.</summary>
internal static class DistributorModule
{
    internal static void Register(IServiceCollection services, ClusterConfig config)
    {
        // Per-tenant limits come from the host's one IOverrides service (G5), registered in Modules.
        services.AddSingleton(config.DistributorOptions());
        services.AddSingleton<Distributor.Distributor>();
    }

    internal static void Map(WebApplication app, TenantResolver tenants) => app.MapPush(tenants.Resolve);
}
