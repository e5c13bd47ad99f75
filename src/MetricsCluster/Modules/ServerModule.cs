using MetricsCluster.Http;
using MetricsCluster.StoreGateway;
using MetricsCluster.WebUi;

namespace MetricsCluster.Modules;

/// <summary>
/// The HTTP server's own routes: /ready (from the ingester, store-gateway and querier warm-up of this process when it runs them),
/// /metrics, /config, and the web UI. Every target has it; it needs the engine so every process is a member of its
/// deployment (a silo in cluster mode) before anything else starts.
/// </summary>
internal sealed class ServerModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.Server;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.Engine];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Runtime;

    /// <inheritdoc/>
    public void Map(WebApplication app, ModuleContext context)
    {
        var ingester = context.Has(ModuleRegistry.IngesterService) ? app.Services.GetRequiredService<Ingester.Ingester>() : null;
        var stores = context.Has(ModuleRegistry.StoreGateway) ? app.Services.GetRequiredService<BucketStores>() : null;
        var lifecycle = ingester is null ? null : app.Services.GetRequiredService<IngesterLifecycle>();
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var warmup = context.Has(ModuleRegistry.Querier) ? app.Services.GetRequiredService<QueryWarmup>() : null;
        app.MapOperations(context.Config, () =>
        {
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return (false, "Shutting down");
            }

            if (ingester is { IsReady: false })
            {
                return (false, "Ingester not ready: replaying WAL");
            }

            // A tenant whose disk is full refuses writes until it heals: say so, so probes and operators see it.
            if (ingester?.WriteFailingTenants is { Count: > 0 } failing)
            {
                return (false, $"Ingester cannot write the WAL of tenants {string.Join(", ", failing)} (is the disk full?); their pushes fail with a retryable error until it heals");
            }

            // Mimir: an ingester is ready once ACTIVE in the ring (and no longer once it starts leaving).
            if (lifecycle is not null && lifecycle.State != Cluster.Ring.InstanceState.Active)
            {
                return (false, $"Ingester not ready: {lifecycle.State} in the ring");
            }

            if (warmup is { Done: false })
            {
                return (false, "Querier not ready: compiling the query path");
            }

            // Mimir: the store-gateway is not ready during its first bucket sync.
            return stores is { IsReady: false } ? (false, "Store-gateway not ready: initial bucket sync") : (true, string.Empty);
        });

        app.MapWebUi();
    }
}
