using MetricsCluster.Core.Ingest;
using MetricsCluster.Distributor;
using MetricsCluster.Http;

namespace MetricsCluster.Modules;

/// <summary>The distributor (internal service): validation, limits, sharding over the ingester client.</summary>
internal sealed class DistributorServiceModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.DistributorService;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.Overrides, ModuleRegistry.IngesterClient];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Services;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        // Per-tenant limits come from the overrides module's one IOverrides service (G5).
        services.AddSingleton(context.Config.DistributorOptions());
        services.AddSingleton<Distributor.Distributor>();
    }
}

/// <summary>The distributor target: the push endpoint and the tenants' ingest statistics.</summary>
internal sealed class DistributorModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.Distributor;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.DistributorService, ModuleRegistry.Server];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Services;

    /// <inheritdoc/>
    public void Map(WebApplication app, ModuleContext context)
    {
        app.MapPush(app.Services.GetRequiredService<TenantResolver>().Resolve);
        app.MapAllUserStats(app.Services.GetRequiredService<IIngesterStats>());
    }
}
