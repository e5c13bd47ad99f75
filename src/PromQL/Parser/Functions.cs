using System.Collections.Frozen;

namespace MetricsCluster.PromQL;

/// <summary>
/// A function signature. <see cref="Variadic"/> follows Prometheus: 0 means exactly <c>ArgTypes.Count</c> arguments;
/// a positive value means the last argument type may be omitted or repeated up to that many times in total
/// (<c>ArgTypes.Count - 1 + Variadic</c> at most); -1 means it may repeat without bound.
/// </summary>
/// <param name="Name">The function name.</param>
/// <param name="ArgTypes">Argument types.</param>
/// <param name="Variadic">Variadic count as above.</param>
/// <param name="ReturnType">The result type.</param>
public sealed record Function(string Name, ValueList<ValueType> ArgTypes, int Variadic, ValueType ReturnType);

/// <summary>The one table of PromQL function signatures (Prometheus 3.x stable plus the listed experimental ones).</summary>
public static class Functions
{
    private const ValueType V = ValueType.InstantVector;
    private const ValueType M = ValueType.RangeVector;
    private const ValueType S = ValueType.Scalar;
    private const ValueType Str = ValueType.String;

    private static readonly FrozenDictionary<string, Function> s_functions = Build();

    /// <summary>All functions by name.</summary>
    public static IReadOnlyDictionary<string, Function> All => s_functions;

    /// <summary>Looks up a function by exact name.</summary>
    public static bool TryGet(string name, out Function function) => s_functions.TryGetValue(name, out function!);

    private static FrozenDictionary<string, Function> Build()
    {
        var list = new List<Function>();
        void Add(string name, ValueType ret, int variadic, params ValueType[] args) => list.Add(new Function(name, new ValueList<ValueType>(args), variadic, ret));

        foreach (var n in new[]
        {
            "abs", "absent", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos", "cosh", "deg", "exp", "floor",
            "histogram_avg", "histogram_count", "histogram_sum", "histogram_stddev", "histogram_stdvar", "ln", "log10", "log2",
            "rad", "sgn", "sin", "sinh", "sort", "sort_desc", "sqrt", "tan", "tanh", "timestamp",
        })
        {
            Add(n, V, 0, V);
        }

        foreach (var n in new[]
        {
            "absent_over_time", "avg_over_time", "changes", "count_over_time", "delta", "deriv", "idelta", "increase", "irate",
            "last_over_time", "mad_over_time", "max_over_time", "min_over_time", "present_over_time", "rate", "resets",
            "stddev_over_time", "stdvar_over_time", "sum_over_time",
        })
        {
            Add(n, V, 0, M);
        }

        foreach (var n in new[] { "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year" })
        {
            Add(n, V, 1, V);
        }

        Add("clamp", V, 0, V, S, S);
        Add("clamp_max", V, 0, V, S);
        Add("clamp_min", V, 0, V, S);
        Add("histogram_fraction", V, 0, S, S, V);
        Add("histogram_quantile", V, 0, S, V);
        Add("double_exponential_smoothing", V, 0, M, S, S);
        Add("label_replace", V, 0, V, Str, Str, Str, Str);
        Add("label_join", V, -1, V, Str, Str, Str);
        Add("pi", S, 0);
        Add("predict_linear", V, 0, M, S);
        Add("quantile_over_time", V, 0, S, M);
        Add("round", V, 1, V, S);
        Add("scalar", S, 0, V);
        Add("sort_by_label", V, -1, V, Str);
        Add("sort_by_label_desc", V, -1, V, Str);
        Add("time", S, 0);
        Add("vector", V, 0, S);
        return list.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);
    }
}
