using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace MetricsCluster.Cluster.Engine;

/// <summary>Configures a silo as a member of a MetricsCluster deployment.</summary>
public static class EngineSetup
{
    /// <summary>
    /// Names the silo after the instance, listens on the silo port (no client gateway: every process is a silo),
    /// registers the pinned placement, keeps the grain classes this process's <c>--target</c> hosts and drops the
    /// others (a store-gateway silo can never be chosen for an ingester grain), and sets failure detection from the
    /// ring flags. The membership and grain-state providers are added by <paramref name="provider"/>.
    /// </summary>
    public static ISiloBuilder UseMetricsClusterEngine(this ISiloBuilder silo, EngineOptions options, Action<ISiloBuilder> provider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(provider);
        silo.Configure<ClusterOptions>(c =>
        {
            c.ClusterId = EngineStorage.ClusterId;
            c.ServiceId = EngineStorage.ClusterId;
        });
        silo.Configure<SiloOptions>(s => s.SiloName = options.InstanceId);
        silo.Configure<EndpointOptions>(e =>
        {
            e.AdvertisedIPAddress = options.AdvertisedAddress;
            e.SiloPort = options.SiloPort;
            e.GatewayPort = 0;
            e.SiloListeningEndpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Any, options.SiloPort);
        });
        silo.Configure<ClusterMembershipOptions>(m =>
        {
            m.ProbeTimeout = options.ProbePeriod;

            // Orleans re-reads the membership table every minute by default; news that gossip misses (a process that
            // restarted after a membership-store outage marks its previous generation dead in the table) would reach
            // the other silos that late, and until then they route calls to the dead generation. A small table,
            // read once per heartbeat period.
            m.TableRefreshTimeout = options.ProbePeriod;
            m.NumMissedProbesLimit = options.MissedProbesLimit;

            // Each status write to the membership table (joining, shutting down, dead) retries this long (Orleans:
            // 5 min). With the store down a stopping silo makes two of them; 15 s each keeps a SIGTERM's exit within
            // a minute and a half, and a silo that cannot join in 15 s exits and is restarted.
            m.MaxJoinAttemptTime = TimeSpan.FromSeconds(15);
        });
        silo.Configure<GrainTypeOptions>(g =>
        {
            if (!options.HostsIngester)
            {
                g.Classes.Remove(typeof(IngesterGrain));
                g.Classes.Remove(typeof(IngesterInstanceGrain));
            }

            if (!options.HostsStoreGateway)
            {
                g.Classes.Remove(typeof(StoreGatewayGrain));
            }

            if (!options.HostsCompactor)
            {
                g.Classes.Remove(typeof(CompactorGrain));
            }

            if (!options.HostsRuler)
            {
                g.Classes.Remove(typeof(RuleGroupGrain));
            }
        });
        silo.Services.AddPlacementDirector<InstancePinnedPlacement, InstancePinnedPlacementDirector>();
        silo.Services.AddSingleton<MembershipLiveness>();
        provider(silo);
        return silo;
    }
}
