using System.Collections.Concurrent;
using System.Globalization;
using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Rpc;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Config;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Storage;
using MetricsCluster.Storage.Shipping;
using MetricsCluster.StoreGateway;

namespace MetricsCluster;

/// <summary>
/// Cluster mode in the host: one ring store per process, the rings this process reads or joins, the RPC clients of
/// a distributor or querier that has no ingester (or store-gateway) beside it, and the ring lifecycles.
/// </summary>
internal static class ClusterModule
{
    /// <summary>Ring key of the ingesters.</summary>
    internal const string IngesterRing = "ingester";

    /// <summary>Ring key of the store-gateways.</summary>
    internal const string StoreGatewayRing = "store-gateway";

    /// <summary>Ring key of the compactors.</summary>
    internal const string CompactorRing = "compactor";

    /// <summary>Store-gateway and compactor tokens per instance (Mimir's default for both rings).</summary>
    private const int OtherRingTokens = 512;

    /// <summary>Registers the ring store, ring clients, lifecycles and remote clients the modules need.</summary>
    internal static void Register(IServiceCollection services, ClusterConfig config, HashSet<string> modules)
    {
        services.AddSingleton(sp => RingStoreFactory.Create(
            new RingStoreOptions { Store = config.RingStore, PostgresConnectionString = config.RingPostgresConnectionString },
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>()));

        foreach (string key in RingKeys(config, modules))
        {
            int rf = key switch
            {
                IngesterRing => config.EffectiveIngesterReplicationFactor,
                StoreGatewayRing => config.EffectiveStoreGatewayReplicationFactor,
                _ => 1,
            };
            services.AddKeyedSingleton(key, (sp, _) => new RingClient(
                sp.GetRequiredService<IRingStore>(),
                new RingOptions { Key = key, ReplicationFactor = rf, HeartbeatTimeout = config.RingHeartbeatTimeout, ZoneAwarenessEnabled = config.RingZone.Length > 0 },
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<RingClient>>()));

            // Not AddHostedService: it keeps one registration per implementation type, and there may be several rings.
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredKeyedService<RingClient>(key));
        }

        if (NeedsRpcClients(config, modules))
        {
            services.AddSingleton(sp => new RpcClientPool(
                new RpcClientOptions { PushTimeout = config.IngesterClientRemoteTimeout, Timeout = config.QuerierTimeout },
                sp.GetRequiredService<ILoggerFactory>()));
        }

        if (modules.Contains(ModuleRegistry.DistributorService) || modules.Contains(ModuleRegistry.Querier))
        {
            RegisterIngesterClient(services, config, modules);
        }

        if (modules.Contains(ModuleRegistry.Querier) && !config.InProcess(modules, ModuleRegistry.StoreGateway) && config.RingStore != ClusterConfig.RingStoreMemory)
        {
            // One client per store-gateway address, kept for the process's life (the pool holds the connections).
            services.AddSingleton<IStoreGatewayClient>(sp =>
            {
                var pool = sp.GetRequiredService<RpcClientPool>();
                var clients = new ConcurrentDictionary<string, RemoteStoreGatewayClient>(StringComparer.Ordinal);
                return new ShardedStoreGatewayClient(
                    sp.GetRequiredKeyedService<RingClient>(StoreGatewayRing),
                    i => clients.GetOrAdd(i.Addr, a => new RemoteStoreGatewayClient(pool, a)),
                    sp.GetRequiredService<ILogger<ShardedStoreGatewayClient>>());
            });
        }
    }

    /// <summary>
    /// The ingester's lifecycle step that must run before the ingester replays its WAL (register PENDING); call
    /// before the ingester's hosted service is added.
    /// </summary>
    internal static void RegisterIngesterJoin(IServiceCollection services, ClusterConfig config)
    {
        services.AddSingleton(sp => new IngesterLifecycle(
            NewLifecycler(sp, config, IngesterRing, config.IngesterRingNumTokens, config.EffectiveTokensFilePath),
            sp.GetRequiredService<Ingester.Ingester>(),
            sp.GetRequiredService<ShipperService>(),
            sp.GetRequiredService<ILogger<IngesterLifecycle>>(),
            config.RingUnregisterTimeout));
        services.AddSingleton<IHostedService>(sp => new HostedStep(
            ct => sp.GetRequiredService<IngesterLifecycle>().JoinAsync(ct),
            _ => Task.CompletedTask));
    }

    /// <summary>
    /// The ingester's lifecycle step after its WAL replay (ACTIVE) and, on the way down, before the ingester and the
    /// shipper stop (LEAVING, flush and ship in cluster mode, unregister); call after both are added.
    /// </summary>
    internal static void RegisterIngesterActivation(IServiceCollection services, ClusterConfig config)
    {
        // With the memory store the process is the whole cluster and a restart replays the WAL, as before cluster
        // mode; in cluster mode the head goes to the bucket so a replacement ingester need not have this disk.
        bool flushOnShutdown = config.RingStore != ClusterConfig.RingStoreMemory;
        services.AddSingleton<IHostedService>(sp => new HostedStep(
            ct => sp.GetRequiredService<IngesterLifecycle>().ActivateAsync(ct),
            _ => sp.GetRequiredService<IngesterLifecycle>().LeaveAsync(flushOnShutdown)));
    }

    /// <summary>
    /// The store-gateway's bucket-store options; in cluster mode it loads only the blocks the store-gateway ring gives
    /// it (each block on RF store-gateways).
    /// </summary>
    internal static void RegisterStoreGatewayOptions(IServiceCollection services, ClusterConfig config, HashSet<string> modules)
    {
        services.AddSingleton(sp =>
        {
            var options = config.BucketStoreOptions();
            if (!config.InProcess(modules, ModuleRegistry.StoreGateway))
            {
                options.OwnsBlock = new BlockOwnership(sp.GetRequiredKeyedService<RingClient>(StoreGatewayRing), config.RingInstanceId).Owns;
            }

            return options;
        });
    }

    /// <summary>The store-gateway's lifecycle: JOINING until its first bucket sync, then ACTIVE; LEAVING and unregistered on stop.</summary>
    internal static void RegisterStoreGatewayLifecycle(IServiceCollection services, ClusterConfig config)
    {
        services.AddKeyedSingleton(StoreGatewayRing, (sp, _) =>
            NewLifecycler(sp, config, StoreGatewayRing, OtherRingTokens, Path.Combine(config.DataDir, "store-gateway.tokens")));
        services.AddSingleton<IHostedService>(sp =>
        {
            var lifecycler = sp.GetRequiredKeyedService<Lifecycler>(StoreGatewayRing);
            var stores = sp.GetRequiredService<BucketStores>();
            Task activation = Task.CompletedTask;
            var cts = new CancellationTokenSource();
            return new HostedStep(
                async ct =>
                {
                    await lifecycler.StartAsync(InstanceState.Joining, ct);
                    activation = Task.Run(() => ActivateWhenSyncedAsync(lifecycler, stores, sp.GetRequiredService<ILogger<Lifecycler>>(), cts.Token), CancellationToken.None);
                },
                async _ =>
                {
                    await cts.CancelAsync();
                    await activation;
                    await LeaveRingAsync(lifecycler, sp.GetRequiredService<ILogger<Lifecycler>>());
                    cts.Dispose();
                });
        });
    }

    /// <summary>The compactor's lifecycle: ACTIVE at start (it owns every tenant until sharding arrives), unregistered on stop.</summary>
    internal static void RegisterCompactorLifecycle(IServiceCollection services, ClusterConfig config)
    {
        services.AddKeyedSingleton(CompactorRing, (sp, _) => NewLifecycler(sp, config, CompactorRing, OtherRingTokens, tokensFile: null));
        services.AddSingleton<IHostedService>(sp =>
        {
            var lifecycler = sp.GetRequiredKeyedService<Lifecycler>(CompactorRing);
            return new HostedStep(
                ct => lifecycler.StartAsync(InstanceState.Active, ct),
                _ => LeaveRingAsync(lifecycler, sp.GetRequiredService<ILogger<Lifecycler>>()));
        });
    }

    /// <summary>Maps the ring pages of every ring this process reads (Mimir's <c>/ingester/ring</c> and siblings).</summary>
    internal static void MapRingPages(WebApplication app, ClusterConfig config, HashSet<string> modules)
    {
        var store = app.Services.GetRequiredService<IRingStore>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        foreach (string key in RingKeys(config, modules))
        {
            app.MapRingPage($"/{key}/ring", app.Services.GetRequiredKeyedService<RingClient>(key), store, key, time);
        }
    }

    /// <summary>
    /// Whether this process serves the internal RPC: it runs an ingester or store-gateway that other processes reach
    /// through a shared ring. With the memory store nobody outside could find it, so no port is opened (the
    /// single-process mode listens on its HTTP port only, as before cluster mode).
    /// </summary>
    internal static bool ServesRpc(ClusterConfig config, HashSet<string> modules) =>
        config.RingStore != ClusterConfig.RingStoreMemory
        && (modules.Contains(ModuleRegistry.IngesterService) || modules.Contains(ModuleRegistry.StoreGateway));

    /// <summary>Maps the RPC services of this process's modules, reachable on the RPC port only.</summary>
    internal static void MapRpc(WebApplication app, ClusterConfig config, HashSet<string> modules)
    {
        if (!ServesRpc(config, modules))
        {
            return;
        }

        // Bound to the listening socket's port, not the Host header: a client of the public port can name any host.
        var rpc = app.MapGroup(string.Empty).RequireLocalPort(config.RpcListenPort);
        if (modules.Contains(ModuleRegistry.IngesterService))
        {
            var ingester = app.Services.GetRequiredService<Ingester.Ingester>();
            rpc.MapIngesterRpc(ingester, ingester);
        }

        if (modules.Contains(ModuleRegistry.StoreGateway))
        {
            rpc.MapStoreGatewayRpc(app.Services.GetRequiredService<BucketStores>());
        }
    }

    /// <summary>The rings this process reads: those of the modules it runs and those its clients need.</summary>
    internal static IEnumerable<string> RingKeys(ClusterConfig config, HashSet<string> modules)
    {
        if (modules.Contains(ModuleRegistry.IngesterService) || modules.Contains(ModuleRegistry.Distributor) || modules.Contains(ModuleRegistry.Querier))
        {
            yield return IngesterRing;
        }

        bool remoteStore = modules.Contains(ModuleRegistry.Querier) && config.RingStore != ClusterConfig.RingStoreMemory;
        if (modules.Contains(ModuleRegistry.StoreGateway) || remoteStore)
        {
            yield return StoreGatewayRing;
        }

        if (modules.Contains(ModuleRegistry.Compactor))
        {
            yield return CompactorRing;
        }
    }

    /// <summary>The distributor's and querier's ingester client: in process (G3) or replicated over RPC.</summary>
    private static void RegisterIngesterClient(IServiceCollection services, ClusterConfig config, HashSet<string> modules)
    {
        if (config.InProcess(modules, ModuleRegistry.IngesterService))
        {
            services.AddSingleton<IIngesterStats>(sp => sp.GetRequiredService<Ingester.Ingester>());
            return;
        }

        // One client per ingester address, kept for the process's life (the pool holds the connections).
        services.AddSingleton(sp =>
        {
            var pool = sp.GetRequiredService<RpcClientPool>();
            var clients = new ConcurrentDictionary<string, RemoteIngesterClient>(StringComparer.Ordinal);
            return new ReplicatedIngesterClient(
                sp.GetRequiredKeyedService<RingClient>(IngesterRing),
                i => clients.GetOrAdd(i.Addr, a => new RemoteIngesterClient(pool, a)),
                sp.GetRequiredService<ILogger<ReplicatedIngesterClient>>());
        });
        services.AddSingleton<IIngesterClient>(sp => sp.GetRequiredService<ReplicatedIngesterClient>());
        services.AddSingleton<IIngesterStats>(sp => sp.GetRequiredService<ReplicatedIngesterClient>());
    }

    private static bool NeedsRpcClients(ClusterConfig config, HashSet<string> modules) =>
        (modules.Contains(ModuleRegistry.DistributorService) || modules.Contains(ModuleRegistry.Querier)) && config.RingStore != ClusterConfig.RingStoreMemory;

    private static Lifecycler NewLifecycler(IServiceProvider sp, ClusterConfig config, string key, int tokens, string? tokensFile)
    {
        string addr = config.EffectiveInstanceAddr;
        return new Lifecycler(
            sp.GetRequiredService<IRingStore>(),
            new LifecyclerOptions
            {
                RingKey = key,
                InstanceId = config.RingInstanceId,
                Addr = string.Create(CultureInfo.InvariantCulture, $"{addr}:{config.RpcListenPort}"),
                HttpAddr = string.Create(CultureInfo.InvariantCulture, $"{addr}:{config.HttpListenPort}"),
                Zone = config.RingZone,
                NumTokens = tokens,
                TokensFilePath = tokensFile,
                HeartbeatPeriod = config.RingHeartbeatPeriod,
            },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Lifecycler>>());
    }

    private static async Task ActivateWhenSyncedAsync(Lifecycler lifecycler, BucketStores stores, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            // BucketStores reports its first sync only as a flag; a one-second poll is far below the sync's own duration.
            while (!stores.IsReady)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }

            while (true)
            {
                try
                {
                    await lifecycler.ChangeStateAsync(InstanceState.Active, cancellationToken);
                    return;
                }
                catch (RingStoreUnavailableException e)
                {
                    logger.LogWarning(e, "ring store unavailable: store-gateway stays JOINING, retrying");
                    await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task LeaveRingAsync(Lifecycler lifecycler, ILogger logger)
    {
        try
        {
            await lifecycler.ChangeStateAsync(InstanceState.Leaving, CancellationToken.None);
            await lifecycler.StopAsync(unregister: true, CancellationToken.None);
        }
        catch (RingStoreUnavailableException e)
        {
            // The others see the heartbeat go stale after the timeout instead.
            logger.LogWarning(e, "ring store unavailable: could not unregister from the ring");
        }
    }
}
