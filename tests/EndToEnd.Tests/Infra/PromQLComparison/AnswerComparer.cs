namespace MetricsCluster.EndToEnd.Tests.Infra.PromQLComparison;

/// <summary>
/// Compares a reference answer (Prometheus) with a candidate: same HTTP status and status, same error type, same
/// result type, same set of series (in order too for queries starting with <c>sort</c>), same timestamps and values
/// equal within a relative 1e-9 (NaN equals NaN, infinities must match exactly).
/// </summary>
public static class AnswerComparer
{
    private const double RelativeTolerance = 1e-9;
    private const double AbsoluteTolerance = 1e-12;

    /// <summary>Null when the answers agree, else why they differ.</summary>
    public static string? Difference(string query, QueryAnswer expected, QueryAnswer actual)
    {
        if (expected.HttpStatus != actual.HttpStatus || expected.Status != actual.Status)
        {
            return $"status {expected.HttpStatus}/{expected.Status} vs {actual.HttpStatus}/{actual.Status}";
        }

        if (expected.Status != "success")
        {
            return expected.ErrorType == actual.ErrorType ? null : $"errorType {expected.ErrorType} vs {actual.ErrorType}";
        }

        if (expected.ResultType != actual.ResultType)
        {
            return $"resultType {expected.ResultType} vs {actual.ResultType}";
        }

        if (query.TrimStart().StartsWith("sort", StringComparison.Ordinal) && expected.ResultType == "vector")
        {
            // Order matters, but series with equal values may come in any order: compare the value sequence.
            for (int i = 0; i < Math.Min(expected.Series.Count, actual.Series.Count); i++)
            {
                if (!SameValue(expected.Series[i].Points[0].V, actual.Series[i].Points[0].V))
                {
                    return $"sort order differs at position {i}: {expected.Series[i].Labels} {expected.Series[i].Points[0].V} vs {actual.Series[i].Labels} {actual.Series[i].Points[0].V}";
                }
            }
        }

        var want = ByLabels(expected.Series, out string? dupWant);
        var got = ByLabels(actual.Series, out string? dupGot);
        if (dupWant is not null || dupGot is not null)
        {
            return $"duplicate series {dupWant ?? "-"} vs {dupGot ?? "-"}";
        }

        var missing = want.Keys.Where(k => !got.ContainsKey(k)).ToList();
        var extra = got.Keys.Where(k => !want.ContainsKey(k)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            return $"series differ: {missing.Count} missing (e.g. {string.Join(" ", missing.Take(3))}), {extra.Count} extra (e.g. {string.Join(" ", extra.Take(3))})";
        }

        foreach (var (labels, w) in want)
        {
            var g = got[labels];
            for (int i = 0; i < Math.Max(w.Count, g.Count); i++)
            {
                if (i >= w.Count || i >= g.Count)
                {
                    return $"{labels}: {w.Count} points vs {g.Count}; first extra at {(i < w.Count ? w[i] : g[i])}";
                }

                if (Math.Abs(w[i].T - g[i].T) > 1e-6)
                {
                    return $"{labels}: point {i} timestamp {w[i].T} vs {g[i].T}";
                }

                if (!SameValue(w[i].V, g[i].V))
                {
                    return $"{labels}: at {w[i].T} value {w[i].V} vs {g[i].V}";
                }
            }
        }

        return null;
    }

    /// <summary>NaN equals NaN, infinities equal only themselves, else relative 1e-9 (or 1e-12 absolute near zero).</summary>
    public static bool SameValue(string a, string b)
    {
        if (a == b)
        {
            return true;
        }

        double x, y;
        try
        {
            x = QueryAnswer.Number(a);
            y = QueryAnswer.Number(b);
        }
        catch (FormatException)
        {
            return false; // string results, or garbage: only equal texts match.
        }

        if (double.IsNaN(x) || double.IsNaN(y))
        {
            return double.IsNaN(x) && double.IsNaN(y);
        }

        if (double.IsInfinity(x) || double.IsInfinity(y))
        {
            return x == y;
        }

        double diff = Math.Abs(x - y);
        return diff <= AbsoluteTolerance || diff <= RelativeTolerance * Math.Max(Math.Abs(x), Math.Abs(y));
    }

    private static Dictionary<string, IReadOnlyList<(double T, string V)>> ByLabels(IReadOnlyList<AnswerSeries> series, out string? duplicate)
    {
        duplicate = null;
        var map = new Dictionary<string, IReadOnlyList<(double T, string V)>>(StringComparer.Ordinal);
        foreach (var s in series)
        {
            if (!map.TryAdd(s.Labels, s.Points))
            {
                duplicate ??= s.Labels;
            }
        }

        return map;
    }
}
