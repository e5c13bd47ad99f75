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
