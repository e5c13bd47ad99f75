using MetricsCluster.PromQL;

namespace MetricsCluster.QueryFrontend.Sharding;

/// <summary>
/// A query rewritten for sharding: <see cref="Outer"/> is evaluated by the frontend's engine over the answers of
/// <see cref="Embedded"/>, which run downstream.
/// </summary>
/// <param name="Outer">The rewritten query; every selector in it is an embedded query's stand-in.</param>
/// <param name="Embedded">The parts run downstream, in the order they appear.</param>
/// <param name="Shards">Shards per sharded part.</param>
internal sealed record ShardedQuery(Expr Outer, IReadOnlyList<EmbeddedQuery> Embedded, int Shards)
{
    /// <summary>Number of parts that were sharded (an <c>avg</c> counts twice: its sum and its count).</summary>
    public int ShardedLegs => Embedded.Count(e => e.Sharded);

    /// <summary>Requests sent downstream per time split.</summary>
    public int QueriesPerSplit => Embedded.Sum(e => e.Queries.Count);

    /// <summary>
    /// The rewrite in readable form (for tests and logs): every stand-in printed as Mimir writes it in its docs,
    /// <c>concat(q1, q2, ...)</c>; not PromQL.
    /// </summary>
    public override string ToString()
    {
        string printed = Outer.ToString();
        foreach (var e in Embedded)
        {
            printed = printed.Replace(e.Selector(default).ToString(), "concat(" + string.Join(", ", e.Queries) + ")", StringComparison.Ordinal);
        }

        return printed;
    }
}
