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

/// <summary>
/// This process's evaluation of rule groups, as the rule group grain sees it (the Cluster project does not reference
/// the ruler's: G4). Keys are the grain keys.
/// </summary>
/// <param name="EvaluateAsync">
/// Evaluates a group (key, definition fingerprint, slot ms, missed slots before it); false when the group no longer
/// exists, and the grain stops.
/// </param>
/// <param name="Status">The group's state for the rules API (JSON), or null when this process holds none.</param>
/// <param name="Release">Forgets this process's state of the group (the grain deactivated or the group was deleted).</param>
public sealed record LocalRuler(
    Func<string, string, long, long, CancellationToken, Task<bool>> EvaluateAsync,
    Func<string, string?> Status,
    Action<string> Release);
