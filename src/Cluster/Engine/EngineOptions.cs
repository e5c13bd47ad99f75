using System.Net;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// How this process joins the Orleans cluster (built by the host from the flags that existed before Orleans, which
/// keep their names: docs/ring.md).
/// </summary>
public sealed class EngineOptions
{
    /// <summary>The silo name: <c>--ring.instance-id</c>, stable across restarts (the StatefulSet pod name on Kubernetes).</summary>
    public string InstanceId { get; set; } = string.Empty;

    /// <summary>The address other silos reach this one at (<c>--ring.instance-addr</c>, resolved to an IP).</summary>
    public IPAddress AdvertisedAddress { get; set; } = IPAddress.Loopback;

    /// <summary>The silo-to-silo port: <c>--server.rpc-listen-port</c>.</summary>
    public int SiloPort { get; set; } = 9095;

    /// <summary>
    /// <c>--ring.heartbeat-period</c>: how often silos probe each other (Orleans' ClusterMembershipOptions.ProbeTimeout).
    /// </summary>
    public TimeSpan ProbePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>--ring.heartbeat-timeout</c>: about how long an unresponsive instance stays in the ring's healthy set before
    /// Orleans declares it dead (the number of missed probes is this divided by <see cref="ProbePeriod"/>, at least 2).
    /// </summary>
    public TimeSpan DeathTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether this silo hosts ingester grains (<c>--target</c> includes the ingester).</summary>
    public bool HostsIngester { get; set; }

    /// <summary>Whether this silo hosts the store-gateway grain.</summary>
    public bool HostsStoreGateway { get; set; }

    /// <summary>Whether this silo hosts compactor grains (<c>--target</c> includes the compactor).</summary>
    public bool HostsCompactor { get; set; }

    /// <summary>Whether this silo hosts rule group grains (<c>--target</c> includes the ruler).</summary>
    public bool HostsRuler { get; set; }

    /// <summary>The missed probes after which a silo votes another dead.</summary>
    public int MissedProbesLimit => Math.Max(2, (int)Math.Ceiling(DeathTimeout / ProbePeriod));
}
