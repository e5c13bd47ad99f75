using MetricsCluster.PromQL;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// Splits a range query's steps by time (Mimir's <c>splitQueryByInterval</c>). Every step of the original query
/// lands in exactly one split, and every split's steps are steps of the original (start + k·step), so the engine,
/// which evaluates each step on its own, gives the same points split or not.
/// </summary>
public static class QuerySplitter
{
    /// <summary>
    /// The splits of [<paramref name="startMs"/>, <paramref name="endMs"/>]: each ends at the last step before the
    /// next multiple of <paramref name="intervalMs"/> (UTC midnights for 24h), and the next starts one step later.
    /// As in Mimir, a split that would leave a single last step alone takes it (one request fewer).
    /// </summary>
    public static IReadOnlyList<(long Start, long End)> Split(long startMs, long endMs, long stepMs, long intervalMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepMs, 1);
        if (intervalMs <= 0)
        {
            return [(startMs, endMs)];
        }

        var splits = new List<(long, long)>();
        for (long start = startMs; start <= endMs;)
        {
            long end = Math.Min(NextIntervalBoundary(start, stepMs, intervalMs), endMs);
            if (end + stepMs == endMs)
            {
                end += stepMs;
            }

            splits.Add((start, end));
            start = end + stepMs;
        }

        return splits;
    }

    /// <summary>The last step (start + k·step) strictly before the next multiple of the interval after <paramref name="t"/>.</summary>
    internal static long NextIntervalBoundary(long t, long stepMs, long intervalMs)
    {
        // Floor division, so negative times (before 1970) align to the same UTC grid.
        long startOfNext = (Math.DivRem(t, intervalMs) is var (q, r) && r < 0 ? q - 1 : q) * intervalMs + intervalMs;
        long target = startOfNext - ((startOfNext - t) % stepMs);
        return target == startOfNext ? target - stepMs : target;
    }

    /// <summary>
    /// Whether a query's answer at a step does not depend on the query's range: false for <c>@ start()</c> and
    /// <c>@ end()</c>, whose time is the range's, and for text that does not parse (the downstream reports the error).
    /// </summary>
    public static bool CanSplit(string query) => TryParse(query) is { } expr && !UsesStartOrEnd(expr);

    /// <summary>The parsed query, or null when it does not parse.</summary>
    internal static Expr? TryParse(string query)
    {
        try
        {
            return Parser.ParseExpr(query);
        }
        catch (PromQLParseException)
        {
            return null;
        }
    }

    /// <summary>Whether any selector or subquery uses <c>@ start()</c> or <c>@ end()</c>.</summary>
    internal static bool UsesStartOrEnd(Expr expr)
    {
        bool found = false;
        Ast.Inspect(expr, e =>
        {
            found |= e is VectorSelector { StartOrEnd: not AtModifier.None } or SubqueryExpr { StartOrEnd: not AtModifier.None };
            return !found;
        });
        return found;
    }

    /// <summary>The latest <c>@ &lt;time&gt;</c> of any selector or subquery, or null without one.</summary>
    internal static long? LatestAt(Expr expr)
    {
        long? latest = null;
        Ast.Inspect(expr, e =>
        {
            long? t = e switch
            {
                VectorSelector v => v.Timestamp,
                SubqueryExpr s => s.Timestamp,
                _ => null,
            };
            if (t is { } at && (latest is null || at > latest))
            {
                latest = at;
            }

            return true;
        });
        return latest;
    }
}
