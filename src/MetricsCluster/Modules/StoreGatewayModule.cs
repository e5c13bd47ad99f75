using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.StoreGateway;

namespace MetricsCluster.Modules;

/// <summary>
/// The store-gateway: its bucket stores, and its ring lifecycle (JOINING until its first bucket sync, then ACTIVE;
/// LEAVING and unregistered on stop). In cluster mode it loads only the blocks the store-gateway ring gives it (each
/// block on RF store-gateways) and serves them to the store-gateway grains.
/// </summary>
internal sealed class StoreGatewayModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.StoreGateway;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.Server, ModuleRegistry.BlocksBucket, ModuleRegistry.StoreGatewayRing];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Services;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        var config = context.Config;
        bool inProcess = context.InProcess(ModuleRegistry.StoreGateway);
        services.AddSingleton(sp =>
        {
            var options = config.BucketStoreOptions();
            if (!inProcess)
            {
                options.OwnsBlock = new BlockOwnership(sp.GetRequiredKeyedService<RingClient>(RingModule.StoreGatewayKey), config.RingInstanceId).Owns;
            }

            return options;
        });
        services.AddSingleton<BucketStores>();
        services.AddSingleton<StoreGatewayService>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreGatewayService>());
        if (context.IsCluster)
        {
            // The grains' view of this process's store-gateway.
            services.AddSingleton(sp => new LocalStoreGateway(sp.GetRequiredService<BucketStores>()));
        }

        services.AddKeyedSingleton(RingModule.StoreGatewayKey, (sp, _) =>
            RingLifecycles.NewLifecycler(sp, config, RingModule.StoreGatewayKey, RingLifecycles.OtherRingTokens, Path.Combine(config.DataDir, "store-gateway.tokens")));
        services.AddSingleton<IHostedService>(sp =>
        {
            var lifecycler = sp.GetRequiredKeyedService<Lifecycler>(RingModule.StoreGatewayKey);
            var stores = sp.GetRequiredService<BucketStores>();
            Task activation = Task.CompletedTask;
            var cts = new CancellationTokenSource();
            return new HostedStep(
                async ct =>
                {
                    await lifecycler.StartAsync(InstanceState.Joining, ct);
                    activation = Task.Run(() => RingLifecycles.ActivateWhenSyncedAsync(lifecycler, stores, sp.GetRequiredService<ILogger<Lifecycler>>(), cts.Token), CancellationToken.None);
                },
                async _ =>
                {
                    await cts.CancelAsync();
                    await activation;
                    await RingLifecycles.LeaveRingAsync(lifecycler, sp.GetRequiredService<ILogger<Lifecycler>>(), config.RingUnregisterTimeout);
                    cts.Dispose();
                });
        });
    }
}
