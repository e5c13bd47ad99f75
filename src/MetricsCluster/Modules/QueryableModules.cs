using System.Collections.Concurrent;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Metrics;
using MetricsCluster.ObjectStore;
using MetricsCluster.Querier;
using MetricsCluster.Querier.Blocks;
using MetricsCluster.Storage;
using MetricsCluster.StoreGateway;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Modules;

/// <summary>The querier's view of the ingesters, through the ingester client.</summary>
internal sealed class IngesterQueryableModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.IngesterQueryable;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.IngesterClient];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Services;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context) =>
        services.AddSingleton(sp => new IngesterQueryable(sp.GetRequiredService<IIngesterClient>()));
}

/// <summary>
/// The querier's view of the blocks: found through the bucket index (the querier reads it itself), read through the
/// store-gateway of this process in a single process, else through the store-gateways of the ring, and every block
/// must be read (consistency check). Absent when a single process runs no store-gateway: the querier then reads the
/// ingesters only.
/// </summary>
internal sealed class StoreQueryableModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.StoreQueryable;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.BlocksBucket, ModuleRegistry.StoreGatewayRing];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Services;

    /// <summary>Whether the querier reads blocks: from the ring's store-gateways in cluster mode, or from this process's.</summary>
    internal static bool Enabled(ModuleContext context) => context.IsCluster || context.Has(ModuleRegistry.StoreGateway);

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        if (!Enabled(context))
        {
            return;
        }

        var config = context.Config;
        if (context.IsCluster)
        {
            // One client per store-gateway instance, kept for the process's life.
            services.AddSingleton<IStoreGatewayClient>(sp =>
            {
                var grains = sp.GetRequiredService<IGrainFactory>();
                var clients = new ConcurrentDictionary<string, GrainStoreGatewayClient>(StringComparer.Ordinal);
                return new ShardedStoreGatewayClient(
                    sp.GetRequiredKeyedService<RingClient>(RingModule.StoreGatewayKey),
                    i => clients.GetOrAdd(i.Id, id => new GrainStoreGatewayClient(grains, id, config.QuerierTimeout)),
                    sp.GetRequiredService<ILogger<ShardedStoreGatewayClient>>());
            });
        }

        services.AddSingleton(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var blocksOptions = config.BlocksStoreOptions();
            IStoreGatewayClient gateways = context.IsCluster ? sp.GetRequiredService<IStoreGatewayClient>() : sp.GetRequiredService<BucketStores>();
            return new BlocksStoreQueryable(
                new BucketIndexBlocksFinder(new BucketIndexReader(sp.GetRequiredService<IBucket>()), blocksOptions, time),
                gateways,
                new BlocksConsistencyChecker(blocksOptions, time, sp.GetRequiredService<MetricsRegistry>()));
        });
    }
}

/// <summary>The querier's <see cref="IQueryable"/>: the ingesters for recent data merged with the blocks for older data.</summary>
internal sealed class QueryableModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.Queryable;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.IngesterQueryable, ModuleRegistry.StoreQueryable];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Services;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        bool blocks = StoreQueryableModule.Enabled(context);
        var config = context.Config;
        services.AddSingleton<IQueryable>(sp =>
        {
            var ingesters = sp.GetRequiredService<IngesterQueryable>();
            return blocks
                ? new MergeQueryable(ingesters, sp.GetRequiredService<BlocksStoreQueryable>(), config.MergeQueryableOptions(), sp.GetRequiredService<TimeProvider>())
                : ingesters;
        });
    }
}
