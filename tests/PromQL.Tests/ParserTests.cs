using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.PromQL.Tests;

public class ParserTests
{
    private static void AssertRoundTrip(string input, string expected)
    {
        var e = Parser.ParseExpr(input);
        string printed = e.ToString();
        Assert.Equal(expected, printed);
        var reparsed = Parser.ParseExpr(printed);
        Assert.Equal(printed, reparsed.ToString());

        // The canonical form re-parses to an identical AST, positions included.
        Assert.Equal(reparsed, Parser.ParseExpr(reparsed.ToString()));
        if (input == expected)
        {
            Assert.Equal(e, reparsed);
        }
    }

    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.5", "1.5")]
    [InlineData(".5", "0.5")]
    [InlineData("5.", "5")]
    [InlineData("0x1F", "31")]
    [InlineData("1e3", "1000")]
    [InlineData("1e6", "1000000")]
    [InlineData("1.5e-7", "0.00000015")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("123456", "123456")]
    [InlineData("1234567", "1234567")]
    [InlineData("Inf", "+Inf")]
    [InlineData("-inf", "-Inf")]
    [InlineData("NaN", "NaN")]
    [InlineData("nAn", "NaN")]
    [InlineData("-1", "-1")]
    [InlineData("+1", "1")]
    [InlineData("- -1", "1")]
    [InlineData("1h", "1h")]
    [InlineData("1h30m", "1h30m")]
    [InlineData("90m", "1h30m")]
    [InlineData("-5m", "-5m")]
    [InlineData("\"a\\nb\"", "\"a\\nb\"")]
    [InlineData("'single \"q\"'", "\"single \\\"q\\\"\"")]
    [InlineData("`raw\\n`", "\"raw\\\\n\"")]
    [InlineData("\"\\x41\\u00e9\\101\"", "\"AéA\"")]
    [InlineData("foo", "foo")]
    [InlineData("foo:bar:rate5m", "foo:bar:rate5m")]
    [InlineData(":foo", ":foo")]
    [InlineData("foo{}", "foo")]
    [InlineData("foo{a=\"b\"}", "foo{a=\"b\"}")]
    [InlineData("foo{b=\"1\", a!=\"2\", c=~\"x.*\", d!~\"y\",}", "foo{a!=\"2\",b=\"1\",c=~\"x.*\",d!~\"y\"}")]
    [InlineData("{__name__=\"foo\"}", "{__name__=\"foo\"}")]
    [InlineData("{__name__=~\"foo.*\", job=\"x\"}", "{__name__=~\"foo.*\",job=\"x\"}")]
    [InlineData("{\"foo\"}", "{__name__=\"foo\"}")]
    [InlineData("{\"metric.name\"}", "{__name__=\"metric.name\"}")]
    [InlineData("{\"metric.name\", \"label.x\"=\"v\"}", "{\"label.x\"=\"v\",__name__=\"metric.name\"}")]
    [InlineData("foo{\"a\"=\"b\"}", "foo{a=\"b\"}")]
    [InlineData("foo{by=\"x\", on=\"y\", sum=\"z\"}", "foo{by=\"x\",on=\"y\",sum=\"z\"}")]
    [InlineData("sum{a=\"b\"}", "{__name__=\"sum\",a=\"b\"}")]
    [InlineData("foo offset 5m", "foo offset 5m")]
    [InlineData("foo offset -5m", "foo offset -5m")]
    [InlineData("foo offset 300", "foo offset 5m")]
    [InlineData("foo OFFSET 1h30m", "foo offset 1h30m")]
    [InlineData("foo @ 100", "foo @ 100.000")]
    [InlineData("foo @ -1.5", "foo @ -1.500")]
    [InlineData("foo @ start()", "foo @ start()")]
    [InlineData("foo @ end() offset 1m", "foo @ end() offset 1m")]
    [InlineData("foo offset 1m @ 10", "foo @ 10.000 offset 1m")]
    [InlineData("foo[5m]", "foo[5m]")]
    [InlineData("foo[1h30m]", "foo[1h30m]")]
    [InlineData("foo[14d]", "foo[2w]")]
    [InlineData("foo[1y]", "foo[1y]")]
    [InlineData("foo[100ms]", "foo[100ms]")]
    [InlineData("foo[30]", "foo[30s]")]
    [InlineData("foo{a=\"b\"}[5m] offset 1w", "foo{a=\"b\"}[5m] offset 1w")]
    [InlineData("foo[5m] @ 1 offset 2m", "foo[5m] @ 1.000 offset 2m")]
    [InlineData("foo[30m:1m]", "foo[30m:1m]")]
    [InlineData("foo[30m:]", "foo[30m:]")]
    [InlineData("rate(foo[5m])[30m:1m] offset 5m", "rate(foo[5m])[30m:1m] offset 5m")]
    [InlineData("(foo + bar)[1h:5m] @ end()", "(foo + bar)[1h:5m] @ end()")]
    [InlineData("min_over_time(rate(foo[5m])[30m:])", "min_over_time(rate(foo[5m])[30m:])")]
    [InlineData("(1)", "(1)")]
    [InlineData("((foo))", "((foo))")]
    [InlineData("-foo", "-foo")]
    [InlineData("+foo", "+foo")]
    [InlineData("-(1 + 2)", "-(1 + 2)")]
    [InlineData("1 + 2 * 3", "1 + 2 * 3")]
    [InlineData("inf^and1h30m", "(+Inf) ^ and1h30m")] // Found by the fuzzer: a signed literal left of ^ keeps parentheses.
    [InlineData("(-2) ^ 2", "(-2) ^ 2")]
    [InlineData("foo and bar or baz unless qux", "foo and bar or baz unless qux")]
    [InlineData("foo == bool bar", "foo == bool bar")]
    [InlineData("1 < bool 2", "1 < bool 2")]
    [InlineData("foo > 1", "foo > 1")]
    [InlineData("foo atan2 bar", "foo atan2 bar")]
    [InlineData("foo + on(a, b) bar", "foo + on (a, b) bar")]
    [InlineData("foo + on() bar", "foo + on () bar")]
    [InlineData("foo + ignoring(a) bar", "foo + ignoring (a) bar")]
    [InlineData("foo * on(a) group_left bar", "foo * on (a) group_left () bar")]
    [InlineData("foo * on(a) group_left(b, c) bar", "foo * on (a) group_left (b, c) bar")]
    [InlineData("foo / ignoring(a) group_right(c) bar", "foo / ignoring (a) group_right (c) bar")]
    [InlineData("foo * ignoring() group_left bar", "foo * ignoring () group_left () bar")]
    [InlineData("foo > bool on(a) bar", "foo > bool on (a) bar")]
    [InlineData("foo and on(a) bar", "foo and on (a) bar")]
    [InlineData("1 + on() foo", "1 + foo")]
    [InlineData("foo + on(\"a.b\") bar", "foo + on (\"a.b\") bar")]
    [InlineData("sum(foo)", "sum(foo)")]
    [InlineData("SUM(foo)", "sum(foo)")]
    [InlineData("sum by (job) (rate(http_requests_total{job=\"api\"}[5m]))", "sum by (job) (rate(http_requests_total{job=\"api\"}[5m]))")]
    [InlineData("sum(foo) by (job, instance)", "sum by (job, instance) (foo)")]
    [InlineData("sum without (job) (foo)", "sum without (job) (foo)")]
    [InlineData("sum(foo) without ()", "sum without () (foo)")]
    [InlineData("sum by () (foo)", "sum(foo)")]
    [InlineData("sum by (on, by, sum, and) (foo)", "sum by (on, by, sum, and) (foo)")]
    [InlineData("sum by (\"a.b\") (foo)", "sum by (\"a.b\") (foo)")]
    [InlineData("avg(foo)", "avg(foo)")]
    [InlineData("group(foo)", "group(foo)")]
    [InlineData("stddev(foo)", "stddev(foo)")]
    [InlineData("stdvar(foo)", "stdvar(foo)")]
    [InlineData("min(foo)", "min(foo)")]
    [InlineData("max(foo)", "max(foo)")]
    [InlineData("count(foo)", "count(foo)")]
    [InlineData("topk(5, foo)", "topk(5, foo)")]
    [InlineData("bottomk by (a) (5, foo)", "bottomk by (a) (5, foo)")]
    [InlineData("quantile(0.9, foo)", "quantile(0.9, foo)")]
    [InlineData("count_values(\"value\", foo)", "count_values(\"value\", foo)")]
    [InlineData("limitk(2, foo)", "limitk(2, foo)")]
    [InlineData("limit_ratio(0.5, foo)", "limit_ratio(0.5, foo)")]
    [InlineData("topk(scalar(bar), foo)", "topk(scalar(bar), foo)")]
    [InlineData("rate(foo[5m])", "rate(foo[5m])")]
    [InlineData("time()", "time()")]
    [InlineData("round(foo)", "round(foo)")]
    [InlineData("round(foo, 0.5)", "round(foo, 0.5)")]
    [InlineData("hour()", "hour()")]
    [InlineData("label_join(foo, \"dst\", \",\", \"a\", \"b\", \"c\")", "label_join(foo, \"dst\", \",\", \"a\", \"b\", \"c\")")]
    [InlineData("label_replace(foo, \"dst\", \"$1\", \"src\", \"(.*)\")", "label_replace(foo, \"dst\", \"$1\", \"src\", \"(.*)\")")]
    [InlineData("sort_by_label(foo, \"a\", \"b\")", "sort_by_label(foo, \"a\", \"b\")")]
    [InlineData("histogram_quantile(0.9, sum by (le) (rate(foo_bucket[5m])))", "histogram_quantile(0.9, sum by (le) (rate(foo_bucket[5m])))")]
    [InlineData("sum by (foo:bar) (x)", "sum by (\"foo:bar\") (x)")]
    [InlineData("sum by (a,) (x)", "sum by (a) (x)")]
    [InlineData("by", "{__name__=\"by\"}")]
    [InlineData("offset offset 5m", "{__name__=\"offset\"} offset 5m")]
    [InlineData("rate(start[5m])", "rate({__name__=\"start\"}[5m])")]
    [InlineData("foo and and", "foo and {__name__=\"and\"}")]
    [InlineData("foo[1.5]", "foo[1s500ms]")]
    [InlineData("rate # comment\n(foo[5m])", "rate(foo[5m])")]
    [InlineData("foo # trailing comment", "foo")]
    [InlineData("rate", "rate")]
    [InlineData("foo - time() - 1h", "foo - time() - 1h")]
    [InlineData("1 - -1", "1 - -1")]
    [InlineData("2 ^ -1", "2 ^ -1")]
    [InlineData("\"a\"", "\"a\"")]
    [InlineData("5.e3", "5000")]
    [InlineData("1_000_000", "1000000")]
    [InlineData("0x_1F", "31")]
    [InlineData("1_0.2_5e1_0", "102500000000")]
    [InlineData("1E-3", "0.001")]
    [InlineData("0.00001", "0.00001")]
    [InlineData("1e21", "1000000000000000000000")]
    [InlineData("1e400", "+Inf")]
    [InlineData("foo offset 1.5", "foo offset 1s500ms")]
    [InlineData("foo @ 1.2345", "foo @ 1.234")]
    [InlineData("foo @ start() [1m:]", "foo @ start()[1m:]")]
    [InlineData("-foo offset 5m", "-foo offset 5m")]
    [InlineData("--foo", "--foo")]
    [InlineData("{\"inf\"}", "{__name__=\"inf\"}")]
    [InlineData("{\"inf\", a=\"b\"}", "{__name__=\"inf\",a=\"b\"}")]
    [InlineData("foo\n  +\n  bar", "foo + bar")]
    [InlineData("foo * on(a) group_left (b) bar", "foo * on (a) group_left (b) bar")]
    [InlineData("foo offset 1m + 1m", "foo offset 1m + 1m")]
    public void ValidExpressionsPrintAndRoundTrip(string input, string expected) => AssertRoundTrip(input, expected);

    [Fact]
    public void VectorSelectorAst()
    {
        var vs = Assert.IsType<VectorSelector>(Parser.ParseExpr("foo{a=\"b\"} offset 5m @ 10"));
        Assert.Equal("foo", vs.Name);
        Assert.Equal(2, vs.Matchers.Count);
        Assert.Equal(MatcherType.Equal, vs.Matchers[0].Type);
        Assert.Equal("a", vs.Matchers[0].Name);
        Assert.Equal("__name__", vs.Matchers[1].Name);
        Assert.Equal(TimeSpan.FromMinutes(5), vs.OriginalOffset);
        Assert.Equal(10_000L, vs.Timestamp);
        Assert.Equal(new PositionRange(0, 25), vs.Pos);
        Assert.Equal(ValueType.InstantVector, vs.Type);
    }

    [Fact]
    public void MatrixAndSubqueryAst()
    {
        var ms = Assert.IsType<MatrixSelector>(Parser.ParseExpr("foo[5m] offset -1m"));
        Assert.Equal(TimeSpan.FromMinutes(5), ms.Range);
        Assert.Equal(TimeSpan.FromMinutes(-1), ms.VectorSelector.OriginalOffset);
        Assert.Equal(ValueType.RangeVector, ms.Type);
        Assert.Equal(new PositionRange(0, 18), ms.Pos);

        var sq = Assert.IsType<SubqueryExpr>(Parser.ParseExpr("foo[30m:]"));
        Assert.Equal(TimeSpan.FromMinutes(30), sq.Range);
        Assert.Equal(TimeSpan.Zero, sq.Step);
        Assert.Equal(ValueType.RangeVector, sq.Type);
    }

    [Theory]
    [InlineData("1 + 2 * 3", "Add", "1", "2 * 3")]
    [InlineData("1 * 2 + 3", "Add", "1 * 2", "3")]
    [InlineData("1 - 2 - 3", "Sub", "1 - 2", "3")]
    [InlineData("2 ^ 3 ^ 2", "Pow", "2", "3 ^ 2")]
    [InlineData("a or b and c", "Or", "a", "b and c")]
    [InlineData("a and b unless c", "Unless", "a and b", "c")]
    [InlineData("a > b + c", "Gtr", "a", "b + c")]
    [InlineData("a + b > c", "Gtr", "a + b", "c")]
    [InlineData("a == b and c", "And", "a == b", "c")]
    [InlineData("a % b atan2 c", "Atan2", "a % b", "c")]
    [InlineData("-2 * 3", "Mul", "-2", "3")]
    [InlineData("2 ^ -1 * 3", "Mul", "2 ^ -1", "3")]
    [InlineData("-a * b", "Mul", "-a", "b")]
    public void PrecedenceAndAssociativity(string input, string op, string lhs, string rhs)
    {
        var b = Assert.IsType<BinaryExpr>(Parser.ParseExpr(input));
        Assert.Equal(op, b.Op.ToString());
        Assert.Equal(lhs, b.Lhs.ToString());
        Assert.Equal(rhs, b.Rhs.ToString());
    }

    [Fact]
    public void UnaryMinusBindsLooserThanPow()
    {
        var u = Assert.IsType<UnaryExpr>(Parser.ParseExpr("-2 ^ 2"));
        Assert.Equal(UnaryOp.Minus, u.Op);
        var pow = Assert.IsType<BinaryExpr>(u.Expr);
        Assert.Equal(BinaryOp.Pow, pow.Op);
        Assert.Equal("-2 ^ 2", u.ToString());
        Assert.Equal(ValueType.Scalar, u.Type);
        Assert.Equal(new PositionRange(0, 6), u.Pos);

        var n = Assert.IsType<NumberLiteral>(Parser.ParseExpr("-1"));
        Assert.Equal(-1, n.Value);
        Assert.Equal(new PositionRange(0, 2), n.Pos);
    }

    [Fact]
    public void BinaryMatching()
    {
        var b = Assert.IsType<BinaryExpr>(Parser.ParseExpr("foo * on(a) group_left(b) bar"));
        Assert.NotNull(b.Matching);
        Assert.Equal(VectorMatchCardinality.ManyToOne, b.Matching!.Card);
        Assert.True(b.Matching.On);
        Assert.Equal(["a"], b.Matching.MatchingLabels);
        Assert.Equal(["b"], b.Matching.Include);

        var set = Assert.IsType<BinaryExpr>(Parser.ParseExpr("foo and bar"));
        Assert.Equal(VectorMatchCardinality.ManyToMany, set.Matching!.Card);

        var scalar = Assert.IsType<BinaryExpr>(Parser.ParseExpr("foo + 1"));
        Assert.Null(scalar.Matching);
        Assert.Equal(ValueType.InstantVector, scalar.Type);
        Assert.Equal(ValueType.Scalar, Parser.ParseExpr("1 + 2").Type);
    }

    [Fact]
    public void AggregateAst()
    {
        var a = Assert.IsType<AggregateExpr>(Parser.ParseExpr("topk without (a) (3, foo)"));
        Assert.Equal(AggregateOp.Topk, a.Op);
        Assert.True(a.Without);
        Assert.Equal(["a"], a.Grouping);
        Assert.IsType<NumberLiteral>(a.Param);
        Assert.IsType<VectorSelector>(a.Expr);

        var b = Assert.IsType<AggregateExpr>(Parser.ParseExpr("sum(foo) by (a)"));
        Assert.Equal(new PositionRange(0, 15), b.Pos);
    }

    [Fact]
    public void InspectVisitsAllNodes()
    {
        var e = Parser.ParseExpr("sum by (a) (rate(foo[5m])) + on(a) -bar");
        var seen = new List<string>();
        Ast.Inspect(e, n =>
        {
            seen.Add(n.GetType().Name);
            return true;
        });
        Assert.Equal(["BinaryExpr", "AggregateExpr", "Call", "MatrixSelector", "VectorSelector", "UnaryExpr", "VectorSelector"], seen);
    }

    [Fact]
    public void FormatQueryEqualsString() =>
        Assert.Equal("sum by (job) (foo)", Printer.FormatQuery("sum(foo)by(job)"));

    [Fact]
    public void ReturnTypes()
    {
        Assert.Equal(ValueType.Scalar, Parser.ParseExpr("time()").Type);
        Assert.Equal(ValueType.Scalar, Parser.ParseExpr("scalar(foo)").Type);
        Assert.Equal(ValueType.String, Parser.ParseExpr("\"x\"").Type);
        Assert.Equal(ValueType.InstantVector, Parser.ParseExpr("rate(foo[1m])").Type);
        Assert.Equal(ValueType.RangeVector, Parser.ParseExpr("(foo)[1m:]").Type);
        Assert.Equal(ValueType.InstantVector, Parser.ParseExpr("(foo)").Type);
    }
}
