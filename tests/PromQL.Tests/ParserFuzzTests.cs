using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace MetricsCluster.PromQL.Tests;

/// <summary>G19: parsing must never fail with anything but <see cref="PromQLParseException"/>.</summary>
public class ParserFuzzTests
{
    private static readonly string[] s_seeds =
    [
        "sum by (job) (rate(http_requests_total{job=\"api\"}[5m]))",
        "foo{a=\"b\", c=~\"d.*\"} offset -5m @ 100 + on(a) group_left(b) bar",
        "histogram_quantile(0.9, sum without (x) (rate(foo_bucket[5m:1m])))",
        "-2 ^ 3 ^ -1 * 4 % 5 atan2 6 > bool foo and bar or baz unless qux",
        "topk(5, {\"metric.name\", \"l.x\"!=\"\"} @ end())",
        "label_join(foo, \"dst\", \",\", 'a', `b`) # comment",
        "count_values(\"v\", rate(foo[1h30m] offset 1w)) / 0x1F + Inf - NaN",
    ];

    private static readonly string[] s_fragments =
    [
        "(", ")", "[", "]", "{", "}", ",", ":", "@", "=", "!=", "=~", "!~", "+", "-", "*", "/", "^", "%", "==", "<", ">=", " ",
        "5m", "1h30m", "1", "0x", ".5", "1e", "\"", "'", "`", "\\", "#", "\n", "foo", "sum", "by", "on", "offset", "bool",
        "group_left", "start()", "end()", "and", "or", "rate(", "inf", "NaN", "__name__", "\"a\"", "$", "é", "\u0000",
    ];

    private static void ParseOrParseError(string input)
    {
        try
        {
            var e = Parser.ParseExpr(input);

            // Anything that parses must print to something that re-parses to the same printed form.
            string printed = e.ToString();
            Assert.Equal(printed, Parser.ParseExpr(printed).ToString());
        }
        catch (PromQLParseException)
        {
        }
    }

    [Fact]
    public void RandomStringsNeverThrowOtherExceptions()
    {
        var gen = Gen.Choose(0, s_fragments.Length - 1).Select(i => s_fragments[i]).ListOf().Select(l => string.Concat(l));
        var prop = Prop.ForAll(gen.ToArbitrary(), (string input) => ParseOrParseError(input));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), prop);
    }

    [Fact]
    public void ArbitraryStringsNeverThrowOtherExceptions()
    {
        var prop = Prop.ForAll(ArbMap.Default.ArbFor<string>(), (string input) => ParseOrParseError(input ?? string.Empty));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), prop);
    }

    [Fact]
    public void MutatedValidQueriesNeverThrowOtherExceptions()
    {
        var rng = new Random(42);
        for (int iter = 0; iter < 20000; iter++)
        {
            var s = new System.Text.StringBuilder(s_seeds[rng.Next(s_seeds.Length)]);
            int mutations = rng.Next(1, 4);
            for (int m = 0; m < mutations; m++)
            {
                int pos = rng.Next(s.Length + 1);
                switch (rng.Next(4))
                {
                    case 0 when s.Length > 0 && pos < s.Length:
                        s.Remove(pos, rng.Next(1, Math.Min(5, s.Length - pos) + 1));
                        break;
                    case 1:
                        s.Insert(pos, s_fragments[rng.Next(s_fragments.Length)]);
                        break;
                    case 2 when pos < s.Length:
                        s[pos] = (char)rng.Next(32, 127);
                        break;
                    default:
                        s.Insert(pos, (char)rng.Next(0, 256));
                        break;
                }
            }

            ParseOrParseError(s.ToString());
        }
    }

    [Fact]
    public void SeedsAreValid()
    {
        foreach (var seed in s_seeds)
        {
            Assert.Equal(Parser.ParseExpr(seed).ToString(), Parser.ParseExpr(Parser.ParseExpr(seed).ToString()).ToString());
        }
    }
}
