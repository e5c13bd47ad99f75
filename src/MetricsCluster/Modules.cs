using MetricsCluster.Config;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Storage;
using MetricsCluster.Http;
using MetricsCluster.Querier;
using MetricsCluster.Querier.Api;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster;

/// <summary>The Init and Map step of each module in <see cref="ModuleRegistry"/> (G2).</summary>
internal static class Modules
{
    /// <summary>Registers the services of the resolved modules.</summary>
    internal static void Register(IServiceCollection services, ClusterConfig config, HashSet<string> modules)
    {
        if (modules.Contains(ModuleRegistry.Overrides))
        {
            services.AddSingleton<IOverrides>(new StaticOverrides(config.Limits));
        }

        if (modules.Contains(ModuleRegistry.IngesterService))
        {
            services.AddSingleton(config.IngesterOptions());
            services.AddSingleton<Ingester.Ingester>();
            services.AddSingleton<IIngesterClient>(sp => sp.GetRequiredService<Ingester.Ingester>());
            services.AddHostedService(sp => sp.GetRequiredService<Ingester.Ingester>());
        }

        if (modules.Contains(ModuleRegistry.DistributorService))
        {
            DistributorModule.Register(services, config);
        }

        if (modules.Contains(ModuleRegistry.Querier))
        {
            services.AddSingleton<IQueryable>(sp => new IngesterQueryable(sp.GetRequiredService<IIngesterClient>()));
        }
    }

    /// <summary>Maps the HTTP routes of the resolved modules.</summary>
    internal static void Map(WebApplication app, ClusterConfig config, HashSet<string> modules)
    {
        var tenants = app.Services.GetRequiredService<TenantResolver>();
        var ingester = modules.Contains(ModuleRegistry.IngesterService) ? app.Services.GetRequiredService<Ingester.Ingester>() : null;
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        app.MapOperations(config, () =>
        {
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return (false, "Shutting down");
            }

            return ingester is { IsReady: false } ? (false, "Ingester not ready: replaying WAL") : (true, string.Empty);
        });

        if (modules.Contains(ModuleRegistry.Distributor))
        {
            DistributorModule.Map(app, tenants);
        }

        if (modules.Contains(ModuleRegistry.Querier))
        {
            app.MapPrometheusMetadataApi(
                "/prometheus",
                app.Services.GetRequiredService<IQueryable>(),
                app.Services.GetRequiredService<IIngesterClient>(),
                tenants.Resolve);
            app.MapRemoteRead("/prometheus", app.Services.GetRequiredService<IQueryable>(), tenants.Resolve);
            app.MapFormatQuery("/prometheus");
        }
    }
}
