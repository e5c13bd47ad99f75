using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Storage;
using MetricsCluster.PromQL.Engine;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// Binds <see cref="IQueryRunner"/> to a <see cref="QueryEngine"/> over one <see cref="IQueryable"/>. With
/// <paramref name="overrides"/>, every query runs under a <see cref="QueryLimiter"/> holding its tenant's fetch
/// limits (<c>max_fetched_series_per_query</c> and the chunk limits), which the readers of the ingesters and the
/// store-gateways charge as series arrive.
/// </summary>
public sealed class EngineQueryRunner(QueryEngine engine, IQueryable storage, IOverrides? overrides = null) : IStatsQueryRunner, IResolutionQueryRunner
{
    /// <inheritdoc/>
    public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken) =>
        InstantAsync(tenant, query, timeMs, null, null, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken) =>
        RangeAsync(tenant, query, startMs, endMs, stepMs, null, null, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, QueryStats stats, CancellationToken cancellationToken) =>
        InstantAsync(tenant, query, timeMs, null, stats, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, QueryStats stats, CancellationToken cancellationToken) =>
        RangeAsync(tenant, query, startMs, endMs, stepMs, null, stats, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, long maxSourceResolutionMs, QueryStats? stats, CancellationToken cancellationToken) =>
        InstantAsync(tenant, query, timeMs, maxSourceResolutionMs, stats, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, long maxSourceResolutionMs, QueryStats? stats, CancellationToken cancellationToken) =>
        RangeAsync(tenant, query, startMs, endMs, stepMs, maxSourceResolutionMs, stats, cancellationToken);

    // Every entry point: the tenant's fetch limits, the statistics' trace and storage decorator when asked for, and
    // the resolution limit (null = automatic).
    private async Task<QueryResult> InstantAsync(string tenant, string query, long timeMs, long? maxSourceResolutionMs, QueryStats? stats, CancellationToken cancellationToken)
    {
        using var trace = stats is null ? null : QueryTrace.Begin(stats.Trace);
        using var limits = QueryLimiter.Begin(LimiterFor(tenant));
        return await engine.InstantQueryAsync(stats?.Wrap(storage) ?? storage, tenant, query, timeMs, maxSourceResolutionMs, cancellationToken);
    }

    private async Task<QueryResult> RangeAsync(string tenant, string query, long startMs, long endMs, long stepMs, long? maxSourceResolutionMs, QueryStats? stats, CancellationToken cancellationToken)
    {
        using var trace = stats is null ? null : QueryTrace.Begin(stats.Trace);
        using var limits = QueryLimiter.Begin(LimiterFor(tenant));
        return await engine.RangeQueryAsync(stats?.Wrap(storage) ?? storage, tenant, query, startMs, endMs, stepMs, maxSourceResolutionMs, cancellationToken);
    }

    /// <summary>A fresh limiter with the tenant's limits (one per query: the counts are the query's).</summary>
    private QueryLimiter? LimiterFor(string tenant)
    {
        if (overrides is null)
        {
            return null;
        }

        var l = overrides.For(tenant);
        return new QueryLimiter(l.MaxFetchedSeriesPerQuery, l.MaxFetchedChunkBytesPerQuery, l.MaxFetchedChunksPerQuery);
    }
}
