namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Optional shape of a <see cref="LocalCluster"/>; the defaults are issue 5's cluster.</summary>
public sealed record LocalClusterOptions
{
    /// <summary>Which server holds Orleans membership and the rings.</summary>
    public RingStoreKind Store { get; init; } = RingStoreKind.Postgres;

    /// <summary>How many store-gateways (ids store-gateway-0..n-1).</summary>
    public int StoreGateways { get; init; } = 1;

    /// <summary><c>--store-gateway.sharding-ring.replication-factor</c> of every process.</summary>
    public int StoreGatewayReplicationFactor { get; init; } = 1;

    /// <summary>Whether a compactor runs (cleanup every second, so the bucket index follows the shipped blocks).</summary>
    public bool Compactor { get; init; }

    /// <summary>Extra flags of every store-gateway.</summary>
    public string[] StoreGatewayArgs { get; init; } = [];

    /// <summary>
    /// <c>--ring.heartbeat-timeout</c> of every process: 1m (Mimir's default) unless a test asks otherwise. The tests
    /// that kill or freeze an instance assert what happens while its ring entry is still ACTIVE; with the product's
    /// 15s default a loaded machine can take longer than that between the kill and the assertion, and a frozen silo
    /// declared dead exits when it is continued. The 15s default's detection is measured in docs/operations.md and
    /// tested with real silos in Cluster.Tests.
    /// </summary>
    public string HeartbeatTimeout { get; init; } = "1m";

    /// <summary>Extra flags of the compactor.</summary>
    public string[] CompactorArgs { get; init; } = [];

    /// <summary>Extra flags of the querier.</summary>
    public string[] QuerierArgs { get; init; } = [];
}
