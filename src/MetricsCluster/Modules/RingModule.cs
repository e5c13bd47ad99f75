using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;

namespace MetricsCluster.Modules;

/// <summary>
/// The client of one ring (one module per ring key): it watches the ring store, so it starts after the engine and
/// stops before it; its page is <c>/&lt;key&gt;/ring</c> (Mimir's <c>/ingester/ring</c> and siblings).
/// </summary>
internal sealed class RingModule : IModule
{
    /// <summary>Ring key of the ingesters.</summary>
    internal const string IngesterKey = "ingester";

    /// <summary>Ring key of the store-gateways.</summary>
    internal const string StoreGatewayKey = "store-gateway";

    /// <summary>Ring key of the compactors.</summary>
    internal const string CompactorKey = "compactor";

    private readonly Func<ModuleContext, int> _replicationFactor;
    private readonly Func<ModuleContext, bool> _enabled;

    private RingModule(string name, string key, Func<ModuleContext, int> replicationFactor, Func<ModuleContext, bool> enabled)
    {
        Name = name;
        Key = key;
        _replicationFactor = replicationFactor;
        _enabled = enabled;
    }

    /// <summary>The ingester ring, read by the ingester, the distributor and the querier.</summary>
    internal static RingModule Ingester { get; } = new(
        ModuleRegistry.IngesterRing, IngesterKey, c => c.Config.EffectiveIngesterReplicationFactor, _ => true);

    /// <summary>
    /// The store-gateway ring, read by the store-gateway and, in cluster mode, by the querier (in a single process
    /// the querier reads the blocks through the store-gateway in process).
    /// </summary>
    internal static RingModule StoreGateway { get; } = new(
        ModuleRegistry.StoreGatewayRing, StoreGatewayKey, c => c.Config.EffectiveStoreGatewayReplicationFactor, c => c.IsCluster || c.Has(ModuleRegistry.StoreGateway));

    /// <summary>The compactor ring.</summary>
    internal static RingModule Compactor { get; } = new(ModuleRegistry.CompactorRing, CompactorKey, _ => 1, _ => true);

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The ring's key in the ring store.</summary>
    public string Key { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.Engine];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Rings;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        if (!_enabled(context))
        {
            return;
        }

        string key = Key;
        var options = new RingOptions { Key = key, ReplicationFactor = _replicationFactor(context), ZoneAwarenessEnabled = context.Config.RingZone.Length > 0 };
        services.AddKeyedSingleton(key, (sp, _) => new RingClient(
            sp.GetRequiredService<IRingStore>(),
            sp.GetRequiredService<IInstanceLiveness>(),
            options,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RingClient>>()));

        // Not AddHostedService: it keeps one registration per implementation type, and there are several rings.
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredKeyedService<RingClient>(key));
    }

    /// <inheritdoc/>
    public void Map(WebApplication app, ModuleContext context)
    {
        if (_enabled(context))
        {
            app.MapRingPage($"/{Key}/ring", app.Services.GetRequiredKeyedService<RingClient>(Key), app.Services.GetRequiredService<IRingStore>(), Key, app.Services.GetRequiredService<TimeProvider>());
        }
    }
}
