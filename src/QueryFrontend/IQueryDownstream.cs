using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// What the query-frontend needs from whatever evaluates PromQL behind it (G3: declared by the consumer). The host
/// binds it to the querier's in-process runner for <c>--target=all</c>. Implementations report failures in
/// <see cref="QueryResult.Error"/> and do not throw, except for cancellation.
/// </summary>
public interface IQueryDownstream
{
    /// <summary>Evaluates <paramref name="query"/> at <paramref name="timeMs"/> for <paramref name="tenant"/>.</summary>
    Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken);

    /// <summary>Evaluates <paramref name="query"/> at every <paramref name="stepMs"/> from <paramref name="startMs"/> to <paramref name="endMs"/>.</summary>
    Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken);
}
