using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.PromQL;

namespace MetricsCluster.QueryFrontend.Sharding;

/// <summary>
/// Rewrites a query for sharding (Mimir's AST mapper, written for our AST). A <c>sum</c>, <c>min</c>, <c>max</c>,
/// <c>count</c>, <c>group</c> or <c>avg</c> whose argument works series by series is run as N shard queries and
/// combined by the same aggregation in the frontend (<c>count</c> by <c>sum</c>; <c>avg</c> as
/// <c>sum / count</c>). Everything else stays for the frontend's engine: what reads storage there is folded into
/// one unsharded downstream query. Each step of the rewritten query therefore sees exactly the values the
/// unsharded one would (see docs/query-frontend.md, "Query sharding", for what is not sharded and why).
/// </summary>
internal static class QueryShardingMapper
{
    // Functions whose value for a series depends on other series, or which make series from nothing: inside a
    // shard they would see only that shard's series. label_replace/label_join can merge series into one label set,
    // an error the unsharded query reports and a shard might not see.
    private static readonly HashSet<string> s_notPerSeries = new(StringComparer.Ordinal)
    {
        "absent", "absent_over_time", "scalar", "vector", "sort", "sort_desc", "sort_by_label", "sort_by_label_desc",
        "label_replace", "label_join", "histogram_quantile", "histogram_fraction", "info", "count_values",
    };

    /// <summary>
    /// The rewrite of <paramref name="expr"/> (text <paramref name="text"/>) into <paramref name="shards"/> shards, or
    /// null when nothing in it can be sharded, it already selects a shard, it uses a regex matcher longer than
    /// <paramref name="maxRegexpBytes"/> (0: no limit; Mimir: such regexes cost every shard the full matching), or a
    /// part that reads storage cannot be folded into an instant-vector query.
    /// </summary>
    public static ShardedQuery? Map(Expr expr, string text, int shards, int maxRegexpBytes)
    {
        if (shards < 2 || AstRewrite.Any(expr, n => n is VectorSelector v && v.Matchers.Any(m => IsReserved(m) || IsTooLong(m, maxRegexpBytes))))
        {
            return null;
        }

        var embedded = new List<EmbeddedQuery>();
        var stand = new HashSet<Expr>(ReferenceEqualityComparer.Instance);
        var outer = Shard(expr, text, shards, embedded, stand);
        if (embedded.Count == 0)
        {
            return null;
        }

        var folded = Fold(outer, text, embedded, stand);
        return folded is null ? null : new ShardedQuery(folded, embedded, shards);
    }

    private static bool IsReserved(Matcher m) => m.Shard is not null || (m.Name == "__name__" && m.Value == EmbeddedQuery.MetricName);

    private static bool IsTooLong(Matcher m, int maxRegexpBytes) => maxRegexpBytes > 0
        && m.Type is MatcherType.Regex or MatcherType.NotRegex && System.Text.Encoding.UTF8.GetByteCount(m.Value) > maxRegexpBytes;

    private static Expr Shard(Expr e, string text, int shards, List<EmbeddedQuery> embedded, HashSet<Expr> stand)
    {
        switch (e)
        {
            case AggregateExpr a when a.Op is AggregateOp.Sum or AggregateOp.Min or AggregateOp.Max or AggregateOp.Count or AggregateOp.Group or AggregateOp.Avg
                && IsPerSeries(a.Expr) && AstRewrite.HasSelector(a.Expr):
                if (a.Op == AggregateOp.Avg)
                {
                    // avg = sum / count, each sharded; both sides have the same label sets, so they match one to one.
                    var sum = Combine(AggregateOp.Sum, a with { Op = AggregateOp.Sum }, text, shards, embedded, stand);
                    var count = Combine(AggregateOp.Sum, a with { Op = AggregateOp.Count }, text, shards, embedded, stand);
                    var oneToOne = new VectorMatching(VectorMatchCardinality.OneToOne, ValueList<string>.Empty, false, ValueList<string>.Empty);
                    return new ParenExpr(a.Pos, new BinaryExpr(a.Pos, BinaryOp.Div, sum, count, false, oneToOne));
                }

                return Combine(a.Op == AggregateOp.Count ? AggregateOp.Sum : a.Op, a, text, shards, embedded, stand);

            // topk/bottomk/limitk pick among equal values by input order, which sharding changes: left whole.
            case AggregateExpr { Op: AggregateOp.Topk or AggregateOp.Bottomk or AggregateOp.Limitk or AggregateOp.LimitRatio }:
                return e;

            // A subquery's inner query runs at the subquery's own steps; the embedded answers exist only at the query's.
            case SubqueryExpr:
                return e;

            default:
                return AstRewrite.MapChildren(e, c => Shard(c, text, shards, embedded, stand));
        }
    }

    /// <summary><c>op by/without (...) (concat of the shards of leg)</c>: the same grouping combines the partial results.</summary>
    private static AggregateExpr Combine(AggregateOp op, AggregateExpr leg, string text, int shards, List<EmbeddedQuery> embedded, HashSet<Expr> stand)
    {
        var query = EmbeddedQuery.Create(leg, text, shards);
        embedded.Add(query);
        var selector = query.Selector(leg.Pos);
        stand.Add(selector);
        return new AggregateExpr(leg.Pos, op, selector, null, leg.Grouping, leg.Without);
    }

    /// <summary>
    /// Whether <paramref name="e"/> computes each output series from one input series only, so evaluating it on a
    /// shard's series gives exactly the shard's part of the whole answer.
    /// </summary>
    internal static bool IsPerSeries(Expr e) => e switch
    {
        VectorSelector or MatrixSelector or NumberLiteral or StringLiteral => true,
        ParenExpr p => IsPerSeries(p.Expr),
        UnaryExpr u => IsPerSeries(u.Expr),
        SubqueryExpr s => IsPerSeries(s.Expr),

        // Vector op scalar only: vector/vector matching pairs series that may sit in different shards, and a
        // scalar read from storage (scalar(x)) would be computed from one shard's series.
        BinaryExpr b => !(b.Lhs.Type == PromQL.ValueType.InstantVector && b.Rhs.Type == PromQL.ValueType.InstantVector)
            && (b.Lhs.Type != PromQL.ValueType.Scalar || !AstRewrite.HasSelector(b.Lhs))
            && (b.Rhs.Type != PromQL.ValueType.Scalar || !AstRewrite.HasSelector(b.Rhs))
            && IsPerSeries(b.Lhs) && IsPerSeries(b.Rhs),
        Call c => !s_notPerSeries.Contains(c.Function.Name) && c.Args.All(IsPerSeries)
            && c.Args.All(a => a.Type != PromQL.ValueType.Scalar || !AstRewrite.HasSelector(a)),
        _ => false,
    };

    /// <summary>
    /// Replaces every largest subtree that reads storage but holds no stand-in by one unsharded embedded query, so
    /// the frontend's engine reads nothing but embedded answers. Null when such a subtree is not an instant vector
    /// (a range, a scalar): a range query's answer cannot carry it.
    /// </summary>
    private static Expr? Fold(Expr e, string text, List<EmbeddedQuery> embedded, HashSet<Expr> stand)
    {
        if (stand.Contains(e))
        {
            return e;
        }

        if (!AstRewrite.Any(e, stand.Contains))
        {
            if (!AstRewrite.HasSelector(e))
            {
                return e;
            }

            if (e.Type != PromQL.ValueType.InstantVector)
            {
                return null;
            }

            var query = EmbeddedQuery.Create(e, text, shards: 1);
            embedded.Add(query);
            var selector = query.Selector(e.Pos);
            stand.Add(selector);
            return selector;
        }

        bool failed = false;
        var mapped = AstRewrite.MapChildren(e, c => Fold(c, text, embedded, stand) ?? Fail(c, ref failed));
        return failed ? null : mapped;
    }

    private static Expr Fail(Expr e, ref bool failed)
    {
        failed = true;
        return e;
    }
}
