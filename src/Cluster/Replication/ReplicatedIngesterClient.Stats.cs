using MetricsCluster.Cluster.Ring;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Cluster.Replication;

/// <summary>Per-tenant statistics over the ring (Mimir's distributor UserStats and AllUserStats).</summary>
public sealed partial class ReplicatedIngesterClient
{
    /// <summary>
    /// One tenant's statistics: the sum over every ingester of the read set divided by the replication factor, as
    /// Mimir does (each series and sample is held RF times). Ingesters whose client has no statistics are skipped.
    /// </summary>
    public async ValueTask<UserStats> UserStatsAsync(string tenant, CancellationToken cancellationToken)
    {
        var set = _ring.GetReplicationSetForOperation(RingOperation.Read);
        var all = await Quorum.DoAsync(
            set,
            (instance, ct) => ReadAsync<UserStats?>(instance, async c => c is IIngesterStats s ? await s.UserStatsAsync(tenant, ct).ConfigureAwait(false) : null),
            cancellationToken).ConfigureAwait(false);
        return Divide(Sum(all.OfType<UserStats>()), _ring.ReplicationFactor);
    }

    /// <summary>Every tenant's statistics, summed per tenant over the read set and divided by the replication factor; sorted by tenant.</summary>
    public async ValueTask<IReadOnlyList<TenantUserStats>> AllUserStatsAsync(CancellationToken cancellationToken)
    {
        var set = _ring.GetReplicationSetForOperation(RingOperation.Read);
        var all = await Quorum.DoAsync(
            set,
            (instance, ct) => ReadAsync(instance, c => c is IIngesterStats s ? s.AllUserStatsAsync(ct).AsTask() : Task.FromResult<IReadOnlyList<TenantUserStats>>([])),
            cancellationToken).ConfigureAwait(false);
        int rf = _ring.ReplicationFactor;
        return [.. all.SelectMany(a => a)
            .GroupBy(t => t.Tenant, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TenantUserStats(g.Key, Divide(Sum(g.Select(t => t.Stats)), rf)))];
    }

    private static UserStats Sum(IEnumerable<UserStats> stats) =>
        stats.Aggregate(new UserStats(0, 0, 0), static (a, b) => new UserStats(a.NumSeries + b.NumSeries, a.IngestionRate + b.IngestionRate, a.SamplesIngested + b.SamplesIngested));

    private static UserStats Divide(UserStats s, int factor) =>
        factor <= 1 ? s : new UserStats(s.NumSeries / factor, s.IngestionRate / factor, s.SamplesIngested / factor);
}
