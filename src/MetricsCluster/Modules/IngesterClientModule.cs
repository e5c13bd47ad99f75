using System.Collections.Concurrent;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Modules;

/// <summary>
/// The distributor's and querier's <see cref="IIngesterClient"/> and <see cref="IIngesterStats"/>: the ingester of
/// this process in a single process (G3), else replicated over the ingester grains of the ring.
/// </summary>
internal sealed class IngesterClientModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.IngesterClient;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.IngesterRing];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Services;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        var config = context.Config;
        if (context.InProcess(ModuleRegistry.IngesterService))
        {
            services.AddSingleton<IIngesterClient>(sp => sp.GetRequiredService<Ingester.Ingester>());
            services.AddSingleton<IIngesterStats>(sp => sp.GetRequiredService<Ingester.Ingester>());
            return;
        }

        // One client per ingester instance, kept for the process's life.
        services.AddSingleton(sp =>
        {
            var grains = sp.GetRequiredService<IGrainFactory>();
            var clients = new ConcurrentDictionary<string, GrainIngesterClient>(StringComparer.Ordinal);
            return new ReplicatedIngesterClient(
                sp.GetRequiredKeyedService<RingClient>(RingModule.IngesterKey),
                i => clients.GetOrAdd(i.Id, id => new GrainIngesterClient(grains, id, config.IngesterClientRemoteTimeout, config.QuerierTimeout)),
                sp.GetRequiredService<ILogger<ReplicatedIngesterClient>>());
        });
        services.AddSingleton<IIngesterClient>(sp => sp.GetRequiredService<ReplicatedIngesterClient>());
        services.AddSingleton<IIngesterStats>(sp => sp.GetRequiredService<ReplicatedIngesterClient>());
    }
}
