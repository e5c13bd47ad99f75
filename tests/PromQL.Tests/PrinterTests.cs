using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace MetricsCluster.PromQL.Tests;

public class PrinterTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(1, "1ms")]
    [InlineData(90_000, "1m30s")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(86_400_000, "1d")]
    [InlineData(604_800_000, "1w")]
    [InlineData(691_200_000, "8d")]
    [InlineData(31_536_000_000, "1y")]
    [InlineData(31_536_000_001, "365d1ms")]
    public void Durations(long ms, string expected) => Assert.Equal(expected, Printer.FormatDuration(TimeSpan.FromMilliseconds(ms)));

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(1.0, "1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e6, "1000000")]
    [InlineData(1.5e-7, "0.00000015")]
    [InlineData(123456789.125, "123456789.125")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Floats(double v, string expected) => Assert.Equal(expected, Printer.FormatFloat(v));

    [Fact]
    public void FloatsRoundTrip()
    {
        var prop = Prop.ForAll(ArbMap.Default.ArbFor<double>(), (double v) =>
        {
            string s = Printer.FormatFloat(v);
            var n = Assert.IsType<NumberLiteral>(Parser.ParseExpr(s));
            Assert.Equal(v, n.Value);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), prop);
    }

    [Theory]
    [InlineData("a\"b\\c\n\t\u0001é", "\"a\\\"b\\\\c\\n\\t\\x01é\"")]
    public void StringQuoting(string value, string expected)
    {
        Assert.Equal(expected, Quoting.Quote(value));
        Assert.Equal(value, Assert.IsType<StringLiteral>(Parser.ParseExpr(expected)).Value);
    }

    /// <summary>Builds random valid instant-vector queries from the grammar.</summary>
    private static string Vector(Random r, int depth)
    {
        string[] names = ["foo", "bar:rate5m", "sum", "by"];
        string Selector()
        {
            string name = names[r.Next(names.Length)];
            string sel = r.Next(3) switch
            {
                0 => name == "sum" || name == "by" ? name + "{a=\"1\"}" : name,
                1 => $"{{\"{name}.x\", job=~\"a|b\"}}",
                _ => name + "{a!=\"x\", \"b.c\"=\"y\", c!~\"z\"}",
            };
            if (r.Next(4) == 0)
            {
                sel += " offset " + (r.Next(2) == 0 ? "-" : string.Empty) + "5m";
            }

            if (r.Next(4) == 0)
            {
                sel += r.Next(2) == 0 ? " @ 100.5" : " @ end()";
            }

            return sel;
        }

        if (depth <= 0)
        {
            return Selector();
        }

        string Sub() => Vector(r, depth - 1);
        string Scalar() => r.Next(3) switch { 0 => "1.5", 1 => "time()", _ => "-2 ^ 2" };
        return r.Next(11) switch
        {
            0 => Selector(),
            1 => $"rate({Selector().Split(" @ ")[0].Split(" offset ")[0]}[5m])",
            2 => $"({Sub()})",
            3 => $"-{Sub()}",
            4 => $"{Sub()} {new[] { "+", "-", "*", "/", "%", "^", "atan2", "== bool", "> bool" }[r.Next(9)]} {(r.Next(2) == 0 ? Sub() : Scalar())}",
            5 => $"{Sub()} {new[] { "and", "or", "unless" }[r.Next(3)]} on (a) {Sub()}",
            6 => $"{Sub()} * ignoring (a) group_left (b) {Sub()}",
            7 => $"sum by (job, \"x.y\") ({Sub()})",
            8 => $"topk({Scalar()}, {Sub()})",
            9 => $"max_over_time(({Sub()})[30m:1m])",
            _ => $"label_replace({Sub()}, \"d\", \"$1\", \"s\", \"(.*)\")",
        };
    }

    [Fact]
    public void RandomValidQueriesRoundTripToEqualAsts()
    {
        var prop = Prop.ForAll(ArbMap.Default.ArbFor<int>(), (int seed) =>
        {
            var r = new Random(seed);
            string query = Vector(r, r.Next(1, 5));
            var first = Parser.ParseExpr(query);
            string printed = first.ToString();
            var second = Parser.ParseExpr(printed);
            Assert.Equal(printed, second.ToString());
            Assert.Equal(second, Parser.ParseExpr(second.ToString()));
            Assert.Equal(first.Type, second.Type);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), prop);
    }
}
