using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// What the query endpoints need from PromQL evaluation (G3: declared by the consumer). The host binds it to
/// <see cref="EngineQueryRunner"/>; tests bind it to canned results so the HTTP layer is tested without an engine.
/// Implementations report failures in <see cref="QueryResult.Error"/> and do not throw.
/// </summary>
public interface IQueryRunner
{
    /// <summary>Evaluates <paramref name="query"/> at <paramref name="timeMs"/> for <paramref name="tenant"/>.</summary>
    Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken);

    /// <summary>Evaluates <paramref name="query"/> at every <paramref name="stepMs"/> from <paramref name="startMs"/> to <paramref name="endMs"/>.</summary>
    Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken);
}

/// <summary>
/// A runner that can also report what a query read (<c>stats=all</c>, <c>stats=explain</c>). Optional: the query
/// endpoints answer without stats when the bound runner does not implement it.
/// </summary>
public interface IStatsQueryRunner : IQueryRunner
{
    /// <summary>As <see cref="IQueryRunner.InstantQueryAsync"/>, counting reads into <paramref name="stats"/>.</summary>
    Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, QueryStats stats, CancellationToken cancellationToken);

    /// <summary>As <see cref="IQueryRunner.RangeQueryAsync"/>, counting reads into <paramref name="stats"/>.</summary>
    Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, QueryStats stats, CancellationToken cancellationToken);
}

/// <summary>
/// A runner that honours <c>max_source_resolution</c> (docs/query-api.md#downsampled-data). Optional: without it the
/// endpoints reject the parameter rather than silently ignore it.
/// </summary>
public interface IResolutionQueryRunner : IQueryRunner
{
    /// <summary>As <see cref="IQueryRunner.InstantQueryAsync"/>, reading downsampled data of at most <paramref name="maxSourceResolutionMs"/> (0 = raw only).</summary>
    Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, long maxSourceResolutionMs, QueryStats? stats, CancellationToken cancellationToken);

    /// <summary>As <see cref="IQueryRunner.RangeQueryAsync"/>, reading downsampled data of at most <paramref name="maxSourceResolutionMs"/> (0 = raw only).</summary>
    Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, long maxSourceResolutionMs, QueryStats? stats, CancellationToken cancellationToken);
}
