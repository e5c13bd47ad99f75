using MetricsCluster.Core.Ingest;
using MetricsCluster.Storage;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// This process's own ingester, as its grains see it. A separate registration from <see cref="IIngesterClient"/>: in a
/// process that runs a distributor too, that name is the replicated client that calls grains, never the local head.
/// </summary>
/// <param name="Client">The local ingester.</param>
/// <param name="Stats">Its per-tenant statistics.</param>
public sealed record LocalIngester(IIngesterClient Client, IIngesterStats Stats);

/// <summary>This process's own store-gateway (its bucket stores), as its grain sees it.</summary>
/// <param name="Stores">The local bucket stores.</param>
public sealed record LocalStoreGateway(IStoreGatewayClient Stores);

/// <summary>
/// This process's compaction of one tenant, as the compactor grain sees it (the Cluster project does not reference the
/// compactor's: G4). Returns the number of failed jobs.
/// </summary>
/// <param name="CompactTenantAsync">Runs one tenant's compaction to the end.</param>
public sealed record LocalCompactor(Func<string, CancellationToken, Task<int>> CompactTenantAsync);
