using MetricsCluster.Core;
using MetricsCluster.PromQL.Tests.Scripts;
using Xunit;

namespace MetricsCluster.PromQL.Tests.ScriptTests;

public class SeriesDescriptionTests
{
    private static string Render(IEnumerable<SequenceValue> values) => string.Join(' ', values.Select(v => v.ToString()));

    [Fact]
    public void ValueSequences()
    {
        static void Check(string input, string expected) => Assert.Equal(expected, Render(SeriesDescription.ParseValues(input)));

        Check("1 2 3", "1 2 3");
        Check("0+10x3", "0 10 20 30");
        Check("1-1x3", "1 0 -1 -2");
        Check("-1+2x2", "-1 1 3");
        Check("1x4", "1 1 1 1 1");
        Check("1x0", "1");
        Check("_", "_");
        Check("_x3", "_ _ _");
        Check("_x0", "");
        Check("1 _ 3", "1 _ 3");
        Check("stale", "stale");
        Check("1 stale _ 2", "1 stale _ 2");
        Check("Inf -Inf +inf inF -inf NaN nan -NaN", "+Inf -Inf +Inf +Inf -Inf NaN NaN NaN");
        Check("1e3 12.34e-6 .2 -.5 +7 5.", "1000 1.234E-05 0.2 -0.5 7 5");
        Check("1e+2x1", "100 100");
        Check("1e-1+1e-1x2", "0.1 0.2 0.30000000000000004"); // float64 accumulation, as in Prometheus
        Check("0x2", "0 0 0"); // no hex in series values: x is the repetition operator
        Check("Infx1", "+Inf +Inf");
        Check("  1\t2  ", "1 2");
        Check("", "");
    }

    [Fact]
    public void InvalidValueSequences()
    {
        static void Check(string input) => Assert.Throws<FormatException>(() => SeriesDescription.ParseValues(input));

        Check("1x");
        Check("1+1");
        Check("abc");
        Check("1+1xa");
        Check("0x1F");
        Check("1..2");
        Check("--1");
        Check("5--1x1");
        Check("{{schema:0");
        Check("{{foo:1}}");
        Check("{{buckets:1}}");
        Check("{{counter_reset_hint:maybe}}");
        Check("{{sum:1}}+{{sum:1}}");
    }

    [Fact]
    public void StaleMarkerHasPrometheusBits()
    {
        var v = SeriesDescription.ParseValues("stale").Single();
        Assert.True(v.IsStale);
        Assert.Equal(0x7FF0000000000002, BitConverter.DoubleToInt64Bits(v.Value));
        Assert.False(SequenceValue.Float(double.NaN).IsStale);
    }

    [Fact]
    public void SamplesExpandAtStepsAndSkipOmittedSlots()
    {
        static void Check(string values, long start, long step, string expected) =>
            Assert.Equal(expected, string.Join(' ', SeriesDescription.Expand(SeriesDescription.ParseValues(values), start, step)
                .Select(s => $"{s.TimestampMs}:{(s.IsStale ? "stale" : SequenceValue.FormatFloat(s.Value))}")));

        Check("1 _ 3", 0, 10_000, "0:1 20000:3");
        Check("0+10x2", 0, 300_000, "0:0 300000:10 600000:20");
        Check("_x2 stale 4", 0, 60_000, "120000:stale 180000:4");
        Check("1 2", 60_000, 30_000, "60000:1 90000:2");
        Check("_x3", 0, 1000, "");
    }

    [Fact]
    public void HistogramLiterals()
    {
        var v = SeriesDescription.ParseValues(
            "{{schema:1 sum:-5.5 count:4 z_bucket:1 z_bucket_w:0.001 buckets:[1 0 2] offset:-1 n_buckets:[3] n_offset:2 counter_reset_hint:gauge}}");
        var h = Assert.Single(v).Histogram!;
        Assert.Null(h.Increment);
        var b = h.Base;
        Assert.Equal((1, -5.5, 4.0, 1.0, 0.001, -1, 2, "gauge"), (b.Schema, b.Sum, b.Count, b.ZeroBucket, b.ZeroThreshold, b.Offset, b.NegativeOffset, b.CounterResetHint));
        Assert.Equal([1.0, 0, 2], b.Buckets);
        Assert.Equal([3.0], b.NegativeBuckets);
        Assert.Empty(b.CustomValues);

        var empty = Assert.Single(SeriesDescription.ParseValues("{{}}")).Histogram!.Base;
        Assert.Equal((0, 0.0, 0.0, (string?)null), (empty.Schema, empty.Sum, empty.Count, empty.CounterResetHint));
        Assert.Empty(empty.Buckets);

        var nhcb = Assert.Single(SeriesDescription.ParseValues("{{schema:-53 count:3 custom_values:[0.1 1 +Inf] buckets:[1 2]}}")).Histogram!.Base;
        Assert.Equal(-53, nhcb.Schema);
        Assert.Equal([0.1, 1, double.PositiveInfinity], nhcb.CustomValues);
    }

    [Fact]
    public void HistogramSequences()
    {
        var copies = SeriesDescription.ParseValues("{{sum:1 count:1}}x2 _ 7");
        Assert.Equal(5, copies.Count);
        Assert.All(copies.Take(3), c => Assert.Equal((0, (HistogramLiteral?)null), (c.Histogram!.Times, c.Histogram.Increment)));
        Assert.True(copies[3].Omitted);
        Assert.Equal(7, copies[4].Value);

        var series = SeriesDescription.ParseValues("{{sum:1}}+{{sum:2 buckets:[1]}}x3");
        Assert.Equal([0, 1, 2, 3], series.Select(s => s.Histogram!.Times));
        Assert.All(series, s => Assert.Equal((2.0, false), (s.Histogram!.Increment!.Sum, s.Histogram.Subtract)));

        var down = SeriesDescription.ParseValues("{{sum:10}}-{{sum:1}}x1");
        Assert.Equal([true, true], down.Select(s => s.Histogram!.Subtract));
        Assert.Equal("{{sum:10}}-1*{{sum:1}}", down[1].ToString());
    }

    [Fact]
    public void LabelSets()
    {
        static void Check(string desc, params string[] expected) => Assert.Equal(Labels.FromStrings(expected), SeriesDescription.ParseLabels(desc));

        Check("foo", "__name__", "foo");
        Check("foo{a=\"b\"}", "__name__", "foo", "a", "b");
        Check("foo{c=\"d\", a=\"b\"}", "__name__", "foo", "a", "b", "c", "d");
        Check("foo{a=\"b\",}", "__name__", "foo", "a", "b");
        Check("{__name__=\"foo\", a=\"b\"}", "__name__", "foo", "a", "b");
        Check("{a=\"b\"}", "a", "b");
        Check("{}");
        Check("{a=\"\"}");
        Check("foo{a='single', b=`raw`}", "__name__", "foo", "a", "single", "b", "raw");
        Check("foo{a=\"x\\\"y\"}", "__name__", "foo", "a", "x\"y");
        Check("{\"utf8.metric\", \"label.name\"=\"v\"}", "__name__", "utf8.metric", "label.name", "v");
        Check("{\"utf8.metric\"}", "__name__", "utf8.metric");
        Check("fill{label=\"a\"}", "__name__", "fill", "label", "a"); // keyword-looking metric names
        Check("fill_left", "__name__", "fill_left");
        Check("sum{a=\"b\"}", "__name__", "sum", "a", "b");
        Check("by", "__name__", "by");
        Check("foo:bar:rate5m", "__name__", "foo:bar:rate5m");
    }

    [Fact]
    public void InvalidLabelSets()
    {
        static void Check(string desc) => Assert.Throws<FormatException>(() => SeriesDescription.ParseLabels(desc));

        Check("foo{a!=\"b\"}");
        Check("foo{a=~\"b\"}");
        Check("foo{a=b}");
        Check("foo[5m]");
        Check("1foo");
    }

    [Fact]
    public void SplitDescriptionFromValues()
    {
        static void Check(string line, string desc, string values, bool st = false) =>
            Assert.Equal((desc, values, st), SeriesDescription.Split(line));

        Check("foo 1 2", "foo", "1 2");
        Check("foo{a=\"b c\"} 1", "foo{a=\"b c\"}", "1");
        Check("foo{a=\"}\"}\t\t0+1x2", "foo{a=\"}\"}", "0+1x2");
        Check("{} 5", "{}", "5");
        Check("foo{a=\"b\"} {{sum:1}}", "foo{a=\"b\"}", "{{sum:1}}");
        Check("foo{a=\"b\"}@st _ 1m", "foo{a=\"b\"}", "_ 1m", true);
        Check("foo@st 1m", "foo", "1m", true);
        Check("foo", "foo", "");
        Assert.Throws<FormatException>(() => SeriesDescription.Split("foo{a=\"b\" 1"));
        Assert.Throws<FormatException>(() => SeriesDescription.Split("foo{a=\"b\"}x 1"));
    }

    [Fact]
    public void StartTimestampSequences()
    {
        static void Check(string input, string expected) =>
            Assert.Equal(expected, string.Join(' ', SeriesDescription.ParseStartTimestamps(input).Select(v => v?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "_")));

        Check("_ _ -30s-1mx2", "_ _ -30000 -90000 -150000");
        Check("-1mx2", "-60000 -60000 -60000");
        Check("-59999msx1", "-59999 -59999");
        Check("-0msx1", "0 0");
        Check("_x2 1s+1sx1 5m", "_ _ 1000 2000 300000");
        Assert.Throws<FormatException>(() => SeriesDescription.ParseStartTimestamps("1s+1s"));
        Assert.Throws<FormatException>(() => SeriesDescription.ParseStartTimestamps("abc"));
    }

    [Fact]
    public void ScalarResultLines()
    {
        static void Check(string line, double? expected)
        {
            bool ok = SeriesDescription.TryParseScalar(line, out double v);
            Assert.Equal(expected is not null, ok);
            if (expected is { } e)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(e), BitConverter.DoubleToInt64Bits(v));
            }
        }

        Check("1", 1);
        Check("-2.5", -2.5);
        Check("1e3", 1000);
        Check(".5", 0.5);
        Check("0x1F", 31);
        Check("017", 15); // Go ParseInt base 0: leading zero is octal
        Check("+Inf", double.PositiveInfinity);
        Check("-Inf", double.NegativeInfinity);
        Check("NaN", double.NaN);
        Check("foo 1", null);
        Check("{} 1", null);
        Check("1 2", null);
        Check("", null);
        Check("-", null);
    }
}
