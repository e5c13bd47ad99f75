using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Engine.Azure;
using MetricsCluster.Cluster.Engine.Postgres;
using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Config;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Storage;
using MetricsCluster.Storage.Shipping;
using MetricsCluster.StoreGateway;

namespace MetricsCluster;

/// <summary>
/// Cluster mode in the host: the Orleans silo (every cluster-mode process is one), the ring store and liveness, the
/// rings this process reads or joins, the grain clients of a distributor or querier that has no ingester (or
/// store-gateway) beside it, and the ring lifecycles. With <c>--ring.store=memory</c> there is no silo: one process
/// holds the whole cluster and calls its components in process (G3).
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

    /// <summary>
    /// Makes this process a silo of the cluster (before every other hosted service, so it has joined before any
    /// ring is read and stops after every component has left its rings).
    /// </summary>
    internal static void UseEngine(WebApplicationBuilder builder, ClusterConfig config, HashSet<string> modules)
    {
        if (!config.IsSilo)
        {
            return;
        }

        var options = new EngineOptions
        {
            InstanceId = config.RingInstanceId,
            AdvertisedAddress = ResolveAddress(config.EffectiveInstanceAddr),
            SiloPort = config.RpcListenPort,
            ProbePeriod = config.RingHeartbeatPeriod,
            DeathTimeout = config.RingHeartbeatTimeout,
            HostsIngester = modules.Contains(ModuleRegistry.IngesterService),
            HostsStoreGateway = modules.Contains(ModuleRegistry.StoreGateway),
        };
        builder.UseOrleans(silo => silo.UseMetricsClusterEngine(options, provider =>
        {
            switch (config.RingStore)
            {
                case ClusterConfig.RingStorePostgres:
                    provider.UsePostgresEngine(config.RingPostgresConnectionString);
                    break;
                case ClusterConfig.RingStoreAzure:
                    provider.UseAzureEngine(config.RingAzureConnectionString);
                    break;
                default:
                    throw new ConfigException($"ring.store {config.RingStore} has no Orleans provider");
            }
        }));
    }

    /// <summary>Registers the ring store, ring clients, lifecycles and grain clients the modules need.</summary>
    internal static void Register(IServiceCollection services, ClusterConfig config, HashSet<string> modules)
    {
        if (config.IsSilo)
        {
            services.AddSingleton<IRingStore>(sp => new GrainRingStore(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<ILogger<GrainRingStore>>()));
            services.AddSingleton<IInstanceLiveness>(sp => sp.GetRequiredService<MembershipLiveness>());

            // Orleans' meters on /metrics; created with the app (MapRingPages), before the silo starts.
            services.AddSingleton(sp => new OrleansMetrics(sp.GetRequiredService<Core.Metrics.MetricsRegistry>()));
        }
        else
        {
            services.AddSingleton<IRingStore>(sp => new MemoryRingStore(time: sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IInstanceLiveness>(ThisProcessLiveness.Instance);
        }

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
                sp.GetRequiredService<IInstanceLiveness>(),
                new RingOptions { Key = key, ReplicationFactor = rf, ZoneAwarenessEnabled = config.RingZone.Length > 0 },
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<RingClient>>()));

            // Not AddHostedService: it keeps one registration per implementation type, and there may be several rings.
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredKeyedService<RingClient>(key));
        }

        // The grains' view of this process's own components (a separate name from IIngesterClient, see LocalIngester).
        if (config.IsSilo && modules.Contains(ModuleRegistry.IngesterService))
        {
            services.AddSingleton(sp => new LocalIngester(sp.GetRequiredService<Ingester.Ingester>(), sp.GetRequiredService<Ingester.Ingester>()));
        }

        if (config.IsSilo && modules.Contains(ModuleRegistry.StoreGateway))
        {
            services.AddSingleton(sp => new LocalStoreGateway(sp.GetRequiredService<BucketStores>()));
        }

        if (modules.Contains(ModuleRegistry.DistributorService) || modules.Contains(ModuleRegistry.Querier))
        {
            RegisterIngesterClient(services, config, modules);
        }

        if (modules.Contains(ModuleRegistry.Querier) && !config.InProcess(modules, ModuleRegistry.StoreGateway) && config.RingStore != ClusterConfig.RingStoreMemory)
        {
            // One client per store-gateway instance, kept for the process's life.
            services.AddSingleton<IStoreGatewayClient>(sp =>
            {
                var grains = sp.GetRequiredService<IGrainFactory>();
                var clients = new ConcurrentDictionary<string, GrainStoreGatewayClient>(StringComparer.Ordinal);
                return new ShardedStoreGatewayClient(
                    sp.GetRequiredKeyedService<RingClient>(StoreGatewayRing),
                    i => clients.GetOrAdd(i.Id, id => new GrainStoreGatewayClient(grains, id, config.QuerierTimeout)),
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
                    await LeaveRingAsync(lifecycler, sp.GetRequiredService<ILogger<Lifecycler>>(), config.RingUnregisterTimeout);
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
                _ => LeaveRingAsync(lifecycler, sp.GetRequiredService<ILogger<Lifecycler>>(), config.RingUnregisterTimeout));
        });
    }

    /// <summary>Maps the ring pages of every ring this process reads (Mimir's <c>/ingester/ring</c> and siblings).</summary>
    internal static void MapRingPages(WebApplication app, ClusterConfig config, HashSet<string> modules)
    {
        if (config.IsSilo)
        {
            app.Services.GetRequiredService<OrleansMetrics>();
        }

        var store = app.Services.GetRequiredService<IRingStore>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        foreach (string key in RingKeys(config, modules))
        {
            app.MapRingPage($"/{key}/ring", app.Services.GetRequiredKeyedService<RingClient>(key), store, key, time);
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

        // One client per ingester instance, kept for the process's life.
        services.AddSingleton(sp =>
        {
            var grains = sp.GetRequiredService<IGrainFactory>();
            var clients = new ConcurrentDictionary<string, GrainIngesterClient>(StringComparer.Ordinal);
            return new ReplicatedIngesterClient(
                sp.GetRequiredKeyedService<RingClient>(IngesterRing),
                i => clients.GetOrAdd(i.Id, id => new GrainIngesterClient(grains, id, config.IngesterClientRemoteTimeout, config.QuerierTimeout)),
                sp.GetRequiredService<ILogger<ReplicatedIngesterClient>>());
        });
        services.AddSingleton<IIngesterClient>(sp => sp.GetRequiredService<ReplicatedIngesterClient>());
        services.AddSingleton<IIngesterStats>(sp => sp.GetRequiredService<ReplicatedIngesterClient>());
    }

    // Orleans advertises an IP; --ring.instance-addr may be a host name (a Kubernetes pod's DNS name).
    private static IPAddress ResolveAddress(string addr)
    {
        if (IPAddress.TryParse(addr, out IPAddress? ip))
        {
            return ip;
        }

        return Dns.GetHostAddresses(addr).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? throw new ConfigException($"ring.instance-addr '{addr}' does not resolve to an IPv4 address");
    }

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

    private static async Task LeaveRingAsync(Lifecycler lifecycler, ILogger logger, TimeSpan timeout)
    {
        // Bounded: a ring store that is down must not keep the process from exiting.
        using var cts = new CancellationTokenSource(timeout * 2);
        try
        {
            await lifecycler.ChangeStateAsync(InstanceState.Leaving, cts.Token);
            await lifecycler.StopAsync(unregister: true, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            logger.LogWarning("ring store unavailable: could not unregister from the ring within {Timeout}", timeout * 2);
        }
        catch (RingStoreUnavailableException e)
        {
            // The others see the silo leave Orleans membership instead, and skip it.
            logger.LogWarning(e, "ring store unavailable: could not unregister from the ring");
        }
    }
}
