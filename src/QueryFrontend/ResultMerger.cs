using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// Merges the matrices of time-disjoint sub-queries into one (Mimir's <c>mergeSeries</c>): series are matched by
/// labels, their points concatenated in time order, and the result is sorted by labels as Prometheus sorts a
/// range query's matrix. Annotations are the union, in first-seen order.
/// </summary>
internal static class ResultMerger
{
    /// <summary>
    /// Merges <paramref name="parts"/>, given in time order, keeping only points in [<paramref name="minT"/>,
    /// <paramref name="maxT"/>]. The first error in time order wins, except that a cancellation caused by another
    /// part's failure gives way to that failure.
    /// </summary>
    public static QueryResult Merge(IReadOnlyList<QueryResult> parts, long minT = long.MinValue, long maxT = long.MaxValue)
    {
        if (FirstError(parts) is { } failed)
        {
            return failed;
        }

        var bySeries = new Dictionary<Labels, Series>();
        var warnings = new List<string>();
        var infos = new List<string>();
        foreach (var part in parts)
        {
            AddDistinct(warnings, part.Warnings);
            AddDistinct(infos, part.Infos);
            if (part.Value is not MatrixValue matrix)
            {
                // A range query always answers a matrix; anything else is a downstream bug, not something to hide.
                return new QueryResult(null, new QueryError(QueryErrorType.Internal, $"unexpected result type \"{part.Value?.ResultType}\" from a range sub-query"), [], []);
            }

            foreach (var series in matrix.Series)
            {
                Append(bySeries, series, minT, maxT);
            }
        }

        var merged = bySeries.Values.Where(s => s.Floats.Count > 0).ToList();
        merged.Sort((a, b) => Labels.Compare(a.Metric, b.Metric));
        return new QueryResult(new MatrixValue(merged), null, warnings, infos);
    }

    /// <summary>The first error of <paramref name="parts"/>, a cancellation only when nothing else failed.</summary>
    internal static QueryResult? FirstError(IReadOnlyList<QueryResult> parts)
    {
        QueryResult? canceled = null;
        foreach (var part in parts)
        {
            if (part.Error is { Type: QueryErrorType.Canceled })
            {
                canceled ??= part;
            }
            else if (part.Error is not null)
            {
                return part;
            }
        }

        return canceled;
    }

    private static void Append(Dictionary<Labels, Series> bySeries, Series series, long minT, long maxT)
    {
        if (!bySeries.TryGetValue(series.Metric, out var into))
        {
            into = new Series(series.Metric, new List<FPoint>(series.Floats.Count), series.DropName);
            bySeries.Add(series.Metric, into);
        }

        var points = into.Floats;
        foreach (var p in series.Floats)
        {
            // Parts are disjoint and in time order; the guard keeps a misbehaving downstream from duplicating a step.
            if (p.T >= minT && p.T <= maxT && (points.Count == 0 || p.T > points[^1].T))
            {
                points.Add(p);
            }
        }
    }

    /// <summary>Appends the items not already in <paramref name="into"/>, in order.</summary>
    internal static void AddDistinct(List<string> into, IReadOnlyList<string> items)
    {
        foreach (string item in items)
        {
            if (!into.Contains(item))
            {
                into.Add(item);
            }
        }
    }
}
