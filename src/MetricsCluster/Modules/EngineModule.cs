using System.Net;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Engine.Azure;
using MetricsCluster.Cluster.Engine.Postgres;
using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Config;
using MetricsCluster.Core.Metrics;

namespace MetricsCluster.Modules;

/// <summary>
/// The process's membership. In cluster mode, the Orleans silo (every cluster-mode process is one), the ring store on
/// the ring grains and the liveness from Orleans membership; in a single process, the in-memory ring store and this
/// process as the only live instance. Runs first, so the silo has joined before any ring is read, and stops last,
/// after every component has left its rings.
/// </summary>
internal sealed class EngineModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.Engine;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Runtime;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        if (!context.IsCluster)
        {
            services.AddSingleton<IRingStore>(sp => new MemoryRingStore(time: sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IInstanceLiveness>(ThisProcessLiveness.Instance);
            return;
        }

        var config = context.Config;
        var options = new EngineOptions
        {
            InstanceId = config.RingInstanceId,
            AdvertisedAddress = ResolveAddress(config.EffectiveInstanceAddr),
            SiloPort = config.RpcListenPort,
            ProbePeriod = config.RingHeartbeatPeriod,
            DeathTimeout = config.RingHeartbeatTimeout,
            HostsIngester = context.Has(ModuleRegistry.IngesterService),
            HostsStoreGateway = context.Has(ModuleRegistry.StoreGateway),
            HostsCompactor = context.Has(ModuleRegistry.Compactor),
            HostsRuler = context.Has(ModuleRegistry.Ruler),
        };
        var host = context.Host ?? throw new InvalidOperationException("the engine registers with an application builder");
        host.UseOrleans(silo => silo.UseMetricsClusterEngine(options, provider =>
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
        services.AddSingleton<IRingStore>(sp => new GrainRingStore(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<ILogger<GrainRingStore>>()));
        services.AddSingleton<IInstanceLiveness>(sp => sp.GetRequiredService<MembershipLiveness>());

        // Orleans' meters on /metrics; created with the app (Map), before the silo starts.
        services.AddSingleton(sp => new OrleansMetrics(sp.GetRequiredService<MetricsRegistry>()));
    }

    /// <inheritdoc/>
    public void Map(WebApplication app, ModuleContext context)
    {
        if (context.IsCluster)
        {
            app.Services.GetRequiredService<OrleansMetrics>();
        }
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
}
