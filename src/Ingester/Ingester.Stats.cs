using System.Collections.Concurrent;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Ingester;

/// <summary>The ingester's per-tenant statistics (Mimir's <c>UserStats</c> and <c>AllUserStats</c>).</summary>
public sealed partial class Ingester : IIngesterStats
{
    private readonly ConcurrentDictionary<string, IngestionRate> _rates = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask<UserStats> UserStatsAsync(string tenant, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Stats(tenant, TryTenant(tenant, out var db) ? db.Head.NumSeries : 0));

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<TenantUserStats>> AllUserStatsAsync(CancellationToken cancellationToken)
    {
        var all = OpenTenants
            .Select(db => new TenantUserStats(db.Tenant, Stats(db.Tenant, db.Head.NumSeries)))
            .OrderBy(s => s.Tenant, StringComparer.Ordinal)
            .ToList();
        return ValueTask.FromResult<IReadOnlyList<TenantUserStats>>(all);
    }

    private void RecordIngested(string tenant, int samples)
    {
        if (samples > 0)
        {
            _rates.GetOrAdd(tenant, static (_, now) => new IngestionRate(now), _time.GetTimestamp()).Add(samples);
        }
    }

    private UserStats Stats(string tenant, long series)
    {
        if (!_rates.TryGetValue(tenant, out var rate))
        {
            return new UserStats(series, 0, 0);
        }

        var (perSecond, total) = rate.Read(_time);
        return new UserStats(series, perSecond, total);
    }
}
