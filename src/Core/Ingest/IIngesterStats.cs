namespace MetricsCluster.Core.Ingest;

/// <summary>
/// Per-tenant statistics an ingester reports (Mimir's ingester <c>UserStats</c> / <c>AllUserStats</c> RPCs), summed
/// over the ring by the distributor's <c>/distributor/all_user_stats</c>.
/// </summary>
public interface IIngesterStats
{
    /// <summary>Statistics of one tenant (zeros when the tenant has no head).</summary>
    ValueTask<UserStats> UserStatsAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Statistics of every tenant with a head, sorted by tenant.</summary>
    ValueTask<IReadOnlyList<TenantUserStats>> AllUserStatsAsync(CancellationToken cancellationToken);
}

/// <summary>One tenant's statistics on one ingester.</summary>
/// <param name="NumSeries">Series in the head.</param>
/// <param name="IngestionRate">Samples appended per second (exponentially weighted over the last minute).</param>
/// <param name="SamplesIngested">Samples appended since start.</param>
public sealed record UserStats(long NumSeries, double IngestionRate, long SamplesIngested);

/// <summary>A tenant and its statistics.</summary>
/// <param name="Tenant">The tenant id.</param>
/// <param name="Stats">Its statistics.</param>
public sealed record TenantUserStats(string Tenant, UserStats Stats);
