using MetricsCluster.Core.Metrics;
using MetricsCluster.ObjectStore;

namespace MetricsCluster.Modules;

/// <summary>
/// The blocks bucket: the ingester ships to it, the store-gateway and compactor read and clean it, and a querier in
/// cluster mode reads its bucket index. Created when first resolved.
/// </summary>
internal sealed class BlocksBucketModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.BlocksBucket;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Storage;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context) =>
        services.AddSingleton<IBucket>(sp => BucketFactory.Create(context.Config.BucketConfig(), sp.GetRequiredService<MetricsRegistry>(), timeProvider: sp.GetRequiredService<TimeProvider>()));
}
