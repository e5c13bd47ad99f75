namespace MetricsCluster.Tsdb.Chunks;

/// <summary>
/// Which aggregate of a downsampled series answers a selector, by the function or aggregation around it
/// (<c>SelectHints.Func</c>), as Thanos' querier chooses (<c>aggrsFromFunc</c>): <c>min*</c> → min, <c>max*</c> → max,
/// <c>count*</c> → count, <c>sum_*</c> → sum, <c>rate</c>/<c>increase</c>/<c>irate</c>/<c>resets</c> → counter, and
/// everything else (plain selectors, <c>avg_over_time</c>, <c>sum</c>, …) → sum / count, the window's average.
/// </summary>
public static class AggrSelection
{
    /// <summary>The aggregate for <paramref name="func"/>, or null for the average (sum divided by count).</summary>
    public static AggrType? For(string? func)
    {
        func ??= string.Empty;
        if (func == "min" || func.StartsWith("min_", StringComparison.Ordinal))
        {
            return AggrType.Min;
        }

        if (func == "max" || func.StartsWith("max_", StringComparison.Ordinal))
        {
            return AggrType.Max;
        }

        if (func == "count" || func.StartsWith("count_", StringComparison.Ordinal))
        {
            return AggrType.Count;
        }

        // "sum" itself falls through to the average: sum(x) wants each series' value, not a window's total.
        if (func.StartsWith("sum_", StringComparison.Ordinal))
        {
            return AggrType.Sum;
        }

        return func is "rate" or "increase" or "irate" or "resets" ? AggrType.Counter : null;
    }
}
