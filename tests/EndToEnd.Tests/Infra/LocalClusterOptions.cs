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

    /// <summary>Extra flags of the compactor.</summary>
    public string[] CompactorArgs { get; init; } = [];

    /// <summary>Extra flags of the querier.</summary>
    public string[] QuerierArgs { get; init; } = [];

    /// <summary>Rulers (<c>--target=ruler</c>) sharing one filesystem rule storage; none by default.</summary>
    public int Rulers { get; init; }

    /// <summary>Extra flags for every ruler.</summary>
    public string[] RulerArgs { get; init; } = [];
}
