using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.PromQL.Tests.Scripts;

/// <summary>promqltest's <c>compareResult</c>: exact label sets, exact timestamps, floats within 1e-6 relative.</summary>
public static class ResultComparer
{
    public static string? Compare(EvalCommand eval, QueryValue value)
    {
        if (eval.ExpectedString is not null)
        {
            return value is StringValue s && s.V == eval.ExpectedString ? null : $"expected string \"{eval.ExpectedString}\", got {ScriptRunner.Describe(value)}";
        }

        if (eval.ExpectedScalar is { } scalar)
        {
            return value is ScalarValue sv && AlmostEqual(scalar, sv.V) ? null : $"expected scalar {scalar}, got {ScriptRunner.Describe(value)}";
        }

        switch (value)
        {
            case VectorValue vec when eval.Kind == EvalKind.Instant && eval.ExpectedRangeVector is null:
                return CompareVector(eval, vec);
            case MatrixValue m:
                return CompareMatrix(eval, m);
            default:
                if (eval.ExpectsEmpty)
                {
                    return $"expected empty result, got {ScriptRunner.Describe(value)}";
                }

                return $"unexpected result type {value.ResultType}: {ScriptRunner.Describe(value)}";
        }
    }

    private static string? CompareVector(EvalCommand eval, VectorValue vec)
    {
        var expected = eval.ExpectedSeries;
        if (expected.Count != vec.Samples.Count)
        {
            return $"expected {expected.Count} samples, got {vec.Samples.Count}: {ScriptRunner.Describe(vec)}";
        }

        var byLabels = new Dictionary<Labels, int>();
        for (int i = 0; i < vec.Samples.Count; i++)
        {
            if (!byLabels.TryAdd(vec.Samples[i].Metric, i))
            {
                return $"duplicate series {vec.Samples[i].Metric} in result";
            }
        }

        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            if (!byLabels.TryGetValue(e.Labels, out int idx))
            {
                return $"expected series {e.Labels} not in result {ScriptRunner.Describe(vec)}";
            }

            if (eval.Ordered && idx != i)
            {
                return $"expected {e.Labels} at position {i}, found at {idx}: {ScriptRunner.Describe(vec)}";
            }

            var exp = e.Samples(eval.AtMs, 0).First();
            if (!AlmostEqual(exp.Value, vec.Samples[idx].F))
            {
                return $"series {e.Labels}: expected {exp.Value}, got {vec.Samples[idx].F}";
            }
        }

        return null;
    }

    private static string? CompareMatrix(EvalCommand eval, MatrixValue m)
    {
        long start = eval.ExpectedRangeVector?.StartMs ?? eval.StartMs;
        long step = eval.ExpectedRangeVector?.StepMs ?? eval.StepMs;
        for (int i = 1; i < m.Series.Count; i++)
        {
            if (Labels.Compare(m.Series[i - 1].Metric, m.Series[i].Metric) >= 0)
            {
                return $"matrix not sorted by labels at {m.Series[i].Metric}";
            }
        }

        var expected = eval.ExpectedSeries.Where(e => e.Samples(start, step).Any()).ToList();
        if (expected.Count != m.Series.Count)
        {
            return $"expected {expected.Count} series, got {m.Series.Count}: {ScriptRunner.Describe(m)}";
        }

        var byLabels = m.Series.ToDictionary(s => s.Metric);
        foreach (var e in expected)
        {
            if (!byLabels.TryGetValue(e.Labels, out var got))
            {
                return $"expected series {e.Labels} not in result {ScriptRunner.Describe(m)}";
            }

            var exp = e.Samples(start, step).ToList();
            if (exp.Count != got.Floats.Count)
            {
                return $"series {e.Labels}: expected {exp.Count} points ({string.Join(" ", exp.Select(p => $"{p.Value}@{p.TimestampMs}"))}), got {got.Floats.Count} ({string.Join(" ", got.Floats.Select(p => $"{p.F}@{p.T}"))})";
            }

            for (int i = 0; i < exp.Count; i++)
            {
                if (exp[i].TimestampMs != got.Floats[i].T || !AlmostEqual(exp[i].Value, got.Floats[i].F))
                {
                    return $"series {e.Labels} point {i}: expected {exp[i].Value}@{exp[i].TimestampMs}, got {got.Floats[i].F}@{got.Floats[i].T}";
                }
            }
        }

        return null;
    }

    /// <summary>Prometheus' <c>almost.Equal(a, b, 1e-6)</c> with stale markers equal only to themselves.</summary>
    public static bool AlmostEqual(double a, double b)
    {
        bool sa = BitConverter.DoubleToInt64Bits(a) == SeriesDescription.StaleNaNBits;
        bool sb = BitConverter.DoubleToInt64Bits(b) == SeriesDescription.StaleNaNBits;
        if (sa || sb)
        {
            return sa && sb;
        }

        if (double.IsNaN(a) && double.IsNaN(b))
        {
            return true;
        }

        if (a == b)
        {
            return true;
        }

        const double minNormal = 2.2250738585072014e-308;
        const double epsilon = 1e-6;
        double absSum = Math.Abs(a) + Math.Abs(b);
        double diff = Math.Abs(a - b);
        if (a == 0 || b == 0 || absSum < minNormal)
        {
            return diff < epsilon * minNormal;
        }

        return diff / Math.Min(absSum, double.MaxValue) < epsilon;
    }
}
