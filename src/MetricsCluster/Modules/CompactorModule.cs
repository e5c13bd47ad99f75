using MetricsCluster.Cluster.Ring;
using MetricsCluster.Compactor;

namespace MetricsCluster.Modules;

/// <summary>
/// The compactor: compaction of every tenant's blocks (planner + merge) and the blocks cleaner (Mimir BlocksCleaner:
/// retention, deletions, bucket index); and its ring lifecycle
/// (ACTIVE at start, as it owns every tenant until sharding arrives; unregistered on stop).
/// </summary>
internal sealed class CompactorModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.Compactor;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.Overrides, ModuleRegistry.Server, ModuleRegistry.BlocksBucket, ModuleRegistry.CompactorRing];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Services;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        var config = context.Config;
        services.AddSingleton(config.CompactorOptions());
        services.AddSingleton<BlocksCleanerMetrics>();
        services.AddSingleton<BlocksCleaner>();
        services.AddSingleton<MetricsCluster.Compactor.Compaction.CompactionMetrics>();
        services.AddSingleton<MetricsCluster.Compactor.Compaction.TenantCompactor>();
        services.AddHostedService(sp => new CompactorService(
            sp.GetRequiredService<BlocksCleaner>(),
            sp.GetRequiredService<MetricsCluster.Compactor.Compaction.TenantCompactor>(),
            sp.GetRequiredService<MetricsCluster.ObjectStore.IBucket>(),
            sp.GetRequiredService<MetricsCluster.Compactor.Compaction.CompactionMetrics>(),
            sp.GetRequiredService<CompactorOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CompactorService>>()));
        services.AddKeyedSingleton(RingModule.CompactorKey, (sp, _) =>
            RingLifecycles.NewLifecycler(sp, config, RingModule.CompactorKey, RingLifecycles.OtherRingTokens, tokensFile: null));
        services.AddSingleton<IHostedService>(sp =>
        {
            var lifecycler = sp.GetRequiredKeyedService<Lifecycler>(RingModule.CompactorKey);
            return new HostedStep(
                ct => lifecycler.StartAsync(InstanceState.Active, ct),
                _ => RingLifecycles.LeaveRingAsync(lifecycler, sp.GetRequiredService<ILogger<Lifecycler>>(), config.RingUnregisterTimeout));
        });
    }
}
