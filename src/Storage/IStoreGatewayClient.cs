using MetricsCluster.Core.Storage;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Storage;

/// <summary>
/// The querier's view of the store-gateways (ARCHITECTURE's <c>IStoreGatewayClient</c>; Mimir's store-gateway
/// <c>Series</c> request with its block-ID hints): reads the named blocks of a tenant and reports which of them it
/// actually read, so the querier can tell a complete answer from a partial one. Implemented in process by the
/// store-gateway's <c>BucketStores</c>, over grain calls in cluster mode (GrainStoreGatewayClient).
/// </summary>
public interface IStoreGatewayClient
{
    /// <summary>A querier over <paramref name="blocks"/> of <paramref name="tenant"/>, limited to [mint, maxt].</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="mint">Inclusive start, ms.</param>
    /// <param name="maxt">Inclusive end, ms.</param>
    /// <param name="blocks">The blocks the querier expects to be read; others are not read.</param>
    /// <param name="queried">Receives the ID of every block actually read, as each read completes.</param>
    /// <returns>The querier.</returns>
    IQuerier Querier(string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried);
}
