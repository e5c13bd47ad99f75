using System.Text.Json;
using MetricsCluster.Core;
using MetricsCluster.PromQL;

namespace MetricsCluster.QueryFrontend.Sharding;

/// <summary>
/// A part of a query the frontend runs downstream (Mimir's embedded queries): either one shardable aggregation as
/// <see cref="Queries"/>.Count shard queries, each with a <c>__query_shard__</c> matcher on every selector, or a
/// subtree that cannot be sharded as one query. In the rewritten query it stands as the selector
/// <c>__embedded_queries__{__queries__="[...json...]"}</c>, which the frontend's engine reads back as the
/// concatenation of the queries' series (<see cref="EmbeddedResultsQueryable"/>).
/// </summary>
/// <param name="Key">The <c>__queries__</c> value: the JSON array of <see cref="Queries"/>.</param>
/// <param name="Queries">The PromQL texts run downstream.</param>
/// <param name="Positions">Per query, its annotation positions (<c>line:col</c>) mapped to the user's query's.</param>
/// <param name="Sharded">Whether the queries are shards (false: one unsharded query).</param>
internal sealed record EmbeddedQuery(string Key, IReadOnlyList<string> Queries, IReadOnlyList<IReadOnlyDictionary<string, string>> Positions, bool Sharded)
{
    /// <summary>The metric name of the stand-in selector (Mimir's).</summary>
    public const string MetricName = "__embedded_queries__";

    /// <summary>The label holding the queries (Mimir's).</summary>
    public const string QueriesLabel = "__queries__";

    /// <summary>
    /// Builds the embedded query for <paramref name="leg"/> (positions from <paramref name="text"/>, the user's
    /// query): with <paramref name="shards"/> ≥ 2, one query per shard; otherwise <paramref name="leg"/> as it is.
    /// </summary>
    public static EmbeddedQuery Create(Expr leg, string text, int shards)
    {
        var queries = new List<string>();
        var positions = new List<IReadOnlyDictionary<string, string>>();
        for (int i = 0; i < Math.Max(shards, 1); i++)
        {
            var rewritten = shards >= 2 ? AstRewrite.AddMatcher(leg, new Core.Storage.QueryShard(i, shards).ToMatcher()) : leg;
            string q = rewritten.ToString();
            queries.Add(q);
            positions.Add(AnnotationPositions.Map(q, leg, text));
        }

        return new EmbeddedQuery(JsonSerializer.Serialize(queries), queries, positions, shards >= 2);
    }

    /// <summary>The selector standing for this embedded query, at <paramref name="pos"/> (the replaced subtree's).</summary>
    public VectorSelector Selector(PositionRange pos) => new(pos, MetricName, new ValueList<Matcher>(
        [Matcher.Eq("__name__", MetricName), Matcher.Eq(QueriesLabel, Key)]));
}
