using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Compactor;
using MetricsCluster.Compactor.Compaction;

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
        services.AddSingleton<CompactionMetrics>();
        services.AddSingleton<TenantCompactor>();
        if (context.IsCluster)
        {
            // The tenant's compactor grain runs this process's compaction when the tenant hashes here.
            services.AddSingleton(sp => new LocalCompactor(sp.GetRequiredService<TenantCompactor>().CompactAsync));
        }

        services.AddHostedService(sp => new CompactorService(
            sp.GetRequiredService<BlocksCleaner>(),
            CompactTenant(sp, context.IsCluster),
            sp.GetRequiredService<MetricsCluster.ObjectStore.IBucket>(),
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

    // One process: compact here. A cluster: ask the tenant's grain, which runs on one compactor at a time (Orleans keeps
    // one activation per tenant) and starts at most one run per interval however many compactors ask.
    private static Func<string, CancellationToken, Task> CompactTenant(IServiceProvider sp, bool cluster)
    {
        if (!cluster)
        {
            var compactor = sp.GetRequiredService<TenantCompactor>();
            return compactor.CompactAsync;
        }

        var grains = sp.GetRequiredService<IGrainFactory>();
        var interval = sp.GetRequiredService<CompactorOptions>().CompactionInterval;
        var log = sp.GetRequiredService<ILogger<CompactorService>>();
        return async (tenant, _) =>
        {
            var run = await grains.GetGrain<ICompactorGrain>(tenant).RunAsync(interval).ConfigureAwait(false);
            if (run.Started)
            {
                log.LogDebug("compactor: tenant {Tenant}: compaction started on {Owner}", tenant, run.Owner);
            }
        };
    }
}
