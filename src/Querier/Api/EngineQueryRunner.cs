using MetricsCluster.PromQL.Engine;

using MetricsCluster.Core.Storage;
using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier.Api;

/// <summary>Binds <see cref="IQueryRunner"/> to a <see cref="QueryEngine"/> over one <see cref="IQueryable"/>.</summary>
public sealed class EngineQueryRunner(QueryEngine engine, IQueryable storage) : IStatsQueryRunner, IResolutionQueryRunner
{
    /// <inheritdoc/>
    public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken) =>
        engine.InstantQueryAsync(storage, tenant, query, timeMs, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken) =>
        engine.RangeQueryAsync(storage, tenant, query, startMs, endMs, stepMs, cancellationToken);

    /// <inheritdoc/>
    public async Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, QueryStats stats, CancellationToken cancellationToken)
    {
        using var trace = QueryTrace.Begin(stats.Trace);
        return await engine.InstantQueryAsync(stats.Wrap(storage), tenant, query, timeMs, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, QueryStats stats, CancellationToken cancellationToken)
    {
        using var trace = QueryTrace.Begin(stats.Trace);
        return await engine.RangeQueryAsync(stats.Wrap(storage), tenant, query, startMs, endMs, stepMs, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, long maxSourceResolutionMs, QueryStats? stats, CancellationToken cancellationToken)
    {
        using var trace = stats is null ? null : QueryTrace.Begin(stats.Trace);
        return await engine.InstantQueryAsync(stats?.Wrap(storage) ?? storage, tenant, query, timeMs, maxSourceResolutionMs, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, long maxSourceResolutionMs, QueryStats? stats, CancellationToken cancellationToken)
    {
        using var trace = stats is null ? null : QueryTrace.Begin(stats.Trace);
        return await engine.RangeQueryAsync(stats?.Wrap(storage) ?? storage, tenant, query, startMs, endMs, stepMs, maxSourceResolutionMs, cancellationToken);
    }
}
