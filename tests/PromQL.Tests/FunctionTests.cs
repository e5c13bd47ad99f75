using Xunit;

namespace MetricsCluster.PromQL.Tests;

public class FunctionTests
{
    public static readonly string[] ExpectedFunctions =
    [
        "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "avg_over_time", "ceil", "changes",
        "clamp", "clamp_max", "clamp_min", "cos", "cosh", "count_over_time", "days_in_month", "day_of_month", "day_of_week",
        "day_of_year", "deg", "delta", "deriv", "exp", "floor", "histogram_avg", "histogram_count", "histogram_fraction",
        "histogram_quantile", "histogram_sum", "histogram_stddev", "histogram_stdvar", "double_exponential_smoothing", "hour",
        "idelta", "increase", "irate", "label_replace", "label_join", "last_over_time", "ln", "log10", "log2", "mad_over_time",
        "max_over_time", "min_over_time", "minute", "month", "pi", "predict_linear", "present_over_time", "quantile_over_time",
        "rad", "rate", "resets", "round", "scalar", "sgn", "sin", "sinh", "sort", "sort_desc", "sort_by_label",
        "sort_by_label_desc", "sqrt", "stddev_over_time", "stdvar_over_time", "sum_over_time", "tan", "tanh", "time",
        "timestamp", "vector", "year",
    ];

    public static TheoryData<string> Names() => new(ExpectedFunctions);

    [Fact]
    public void TableHasExactlyTheListedFunctions() =>
        Assert.Equal(ExpectedFunctions.Order(StringComparer.Ordinal), Functions.All.Keys.Order(StringComparer.Ordinal));

    private static string ArgFor(ValueType t) => t switch
    {
        ValueType.Scalar => "1",
        ValueType.String => "\"s\"",
        ValueType.RangeVector => "foo[5m]",
        _ => "foo",
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryFunctionParsesWithItsArity(string name)
    {
        var fn = Functions.All[name];
        var args = fn.ArgTypes.Select(ArgFor).ToList();
        string query = $"{name}({string.Join(", ", args)})";
        var call = Assert.IsType<Call>(Parser.ParseExpr(query));
        Assert.Equal(fn.ReturnType, call.Type);
        Assert.Equal(query, call.ToString());

        if (fn.Variadic == 0)
        {
            // One argument too many is always rejected.
            var ex = Assert.Throws<PromQLParseException>(() => Parser.ParseExpr($"{name}({string.Join(", ", args.Append("1"))})"));
            Assert.Contains($"expected {args.Count} argument(s) in call to \"{name}\", got {args.Count + 1}", ex.Message, StringComparison.Ordinal);
        }
        else
        {
            // The last argument is optional.
            Parser.ParseExpr($"{name}({string.Join(", ", args.Take(args.Count - 1))})");
            if (fn.Variadic > 0)
            {
                var extra = args.Concat(Enumerable.Repeat(args[^1], fn.Variadic));
                var ex = Assert.Throws<PromQLParseException>(() => Parser.ParseExpr($"{name}({string.Join(", ", extra)})"));
                Assert.Contains("expected at most", ex.Message, StringComparison.Ordinal);
            }
            else
            {
                Parser.ParseExpr($"{name}({string.Join(", ", args.Concat(Enumerable.Repeat(args[^1], 3)))})");
            }
        }

        if (args.Count > 0 && fn.Variadic == 0)
        {
            var ex = Assert.Throws<PromQLParseException>(() => Parser.ParseExpr($"{name}({string.Join(", ", args.Skip(1))})"));
            Assert.Contains($"call to \"{name}\"", ex.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("round", 1, 2, 1)]
    [InlineData("clamp", 3, 3, 0)]
    [InlineData("clamp_max", 2, 2, 0)]
    [InlineData("label_join", 3, int.MaxValue, -1)]
    [InlineData("sort_by_label", 1, int.MaxValue, -1)]
    [InlineData("hour", 0, 1, 1)]
    [InlineData("histogram_fraction", 3, 3, 0)]
    [InlineData("pi", 0, 0, 0)]
    public void VariadicSignatures(string name, int min, int max, int variadic)
    {
        var fn = Functions.All[name];
        Assert.Equal(variadic, fn.Variadic);
        int n = fn.ArgTypes.Count;
        Assert.Equal(min, variadic == 0 ? n : n - 1);
        Assert.Equal(max, variadic switch { 0 => n, < 0 => int.MaxValue, _ => n - 1 + variadic });
    }
}
