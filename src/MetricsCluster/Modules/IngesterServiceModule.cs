using MetricsCluster.Cluster.Engine;
using MetricsCluster.Http;
using MetricsCluster.Storage.Shipping;

namespace MetricsCluster.Modules;

/// <summary>
/// The ingester with its WAL, its shipper and its ring lifecycle. Its hosted steps run in this order and stop in
/// reverse: join PENDING, replay the WAL (the ingester), ship (the shipper), go ACTIVE; on the way down LEAVING, stop
/// writes, flush, ship and unregister before the shipper and the ingester stop (<see cref="IngesterLifecycle"/>).
/// </summary>
internal sealed class IngesterServiceModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.IngesterService;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.Overrides, ModuleRegistry.IngesterRing, ModuleRegistry.BlocksBucket];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Ingester;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        var config = context.Config;
        services.AddSingleton(config.IngesterOptions());
        services.AddSingleton<Ingester.Ingester>();

        // The grains' view of this process's ingester (a separate name from IIngesterClient, see LocalIngester).
        if (context.IsCluster)
        {
            services.AddSingleton(sp => new LocalIngester(sp.GetRequiredService<Ingester.Ingester>(), sp.GetRequiredService<Ingester.Ingester>()));
        }

        // 1. Join PENDING: the instance shows on the ring page but takes no writes.
        services.AddSingleton(sp => new IngesterLifecycle(
            RingLifecycles.NewLifecycler(sp, config, RingModule.IngesterKey, config.IngesterRingNumTokens, config.EffectiveTokensFilePath),
            sp.GetRequiredService<Ingester.Ingester>(),
            sp.GetRequiredService<ShipperService>(),
            sp.GetRequiredService<ILogger<IngesterLifecycle>>(),
            config.RingUnregisterTimeout));
        services.AddSingleton<IHostedService>(sp => new HostedStep(
            ct => sp.GetRequiredService<IngesterLifecycle>().JoinAsync(ct),
            _ => Task.CompletedTask));

        // 2. Replay the WAL.
        services.AddHostedService(sp => sp.GetRequiredService<Ingester.Ingester>());

        // 3. Shipping: the ingester's cut blocks go to the blocks bucket (Mimir ingester shipBlocksLoop).
        services.AddSingleton(config.ShipperOptions());
        services.AddSingleton<ShipperMetrics>();
        services.AddSingleton<ShipperService>();
        services.AddHostedService(sp => sp.GetRequiredService<ShipperService>());

        // 4. ACTIVE; on the way down, before the shipper and the ingester stop: LEAVING, flush and ship, unregister.
        // In a single process a restart replays the WAL, as before cluster mode; in cluster mode the head goes to the
        // bucket so a replacement ingester need not have this disk.
        bool flushOnShutdown = context.IsCluster;
        services.AddSingleton<IHostedService>(sp => new HostedStep(
            ct => sp.GetRequiredService<IngesterLifecycle>().ActivateAsync(ct),
            _ => sp.GetRequiredService<IngesterLifecycle>().LeaveAsync(flushOnShutdown)));
    }

    /// <inheritdoc/>
    public void Map(WebApplication app, ModuleContext context)
    {
        app.MapIngesterFlush(app.Services.GetRequiredService<Ingester.Ingester>(), app.Services.GetRequiredService<ShipperService>());
        app.MapIngesterShutdown(app.Services.GetRequiredService<IngesterLifecycle>());
    }
}
