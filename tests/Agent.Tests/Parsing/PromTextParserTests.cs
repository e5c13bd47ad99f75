using MetricsCluster.Core;
using System.Text;
using MetricsCluster.Agent.Parsing;
using Xunit;

namespace MetricsCluster.Agent.Tests.Parsing;

/// <summary>Cases from Prometheus' <c>promparse_test.go</c> (TestPromParse, TestPromParseErrors, null bytes), restated.</summary>
public sealed class PromTextParserTests
{
    [Fact]
    public void ParsesPrometheusTestPage()
    {
        const string input = "# HELP go_gc_duration_seconds A summary of the GC invocation durations.\n"
            + "# \tTYPE go_gc_duration_seconds summary\n"
            + "go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05\n"
            + "go_gc_duration_seconds{quantile=\"0.25\",} 7.424100000000001e-05\n"
            + "go_gc_duration_seconds{quantile=\"0.8\", a=\"b\"} 8.3835e-05\n"
            + "# Hrandom comment starting with prefix of HELP\n"
            + "#\n"
            + "wind_speed{A=\"2\",c=\"3\"} 12345\n"
            + "# HELP nohelp1\n"
            + "go_gc_duration_seconds { quantile = \"2.0\" a = \"b\" } 8.3835e-05\n"
            + "some:aggregate:rate5m{a_b=\"c\"}\t1\n"
            + "# TYPE go_goroutines gauge\n"
            + "go_goroutines 33  \t123123\n"
            + "testmetric{label=\"\\\"bar\\\"\"} 1\n"
            + "# HELP metric foo\0bar\n"
            + "null_byte_metric{a=\"abc\0\"} 1";

        var got = ParsedEntry.Drain(new PromTextParser(Encoding.UTF8.GetBytes(input)));

        ParsedEntry[] want =
        [
            new(EntryKind.Help, "go_gc_duration_seconds", Text: "A summary of the GC invocation durations."),
            new(EntryKind.Type, "go_gc_duration_seconds", Type: MetricType.Summary),
            new(EntryKind.Series, "go_gc_duration_seconds{quantile=\"0\"}", 4.9351e-05, Labels: "{__name__=\"go_gc_duration_seconds\", quantile=\"0\"}"),
            new(EntryKind.Series, "go_gc_duration_seconds{quantile=\"0.25\",}", 7.424100000000001e-05, Labels: "{__name__=\"go_gc_duration_seconds\", quantile=\"0.25\"}"),
            new(EntryKind.Series, "go_gc_duration_seconds{quantile=\"0.8\", a=\"b\"}", 8.3835e-05, Labels: "{__name__=\"go_gc_duration_seconds\", a=\"b\", quantile=\"0.8\"}"),
            new(EntryKind.Comment, string.Empty, Text: "# Hrandom comment starting with prefix of HELP"),
            new(EntryKind.Comment, string.Empty, Text: "#"),
            new(EntryKind.Series, "wind_speed{A=\"2\",c=\"3\"}", 12345, Labels: "{A=\"2\", __name__=\"wind_speed\", c=\"3\"}"),
            new(EntryKind.Help, "nohelp1", Text: string.Empty),
            new(EntryKind.Series, "go_gc_duration_seconds { quantile = \"2.0\" a = \"b\" }", 8.3835e-05, Labels: "{__name__=\"go_gc_duration_seconds\", a=\"b\", quantile=\"2.0\"}"),
            new(EntryKind.Series, "some:aggregate:rate5m{a_b=\"c\"}", 1, Labels: "{__name__=\"some:aggregate:rate5m\", a_b=\"c\"}"),
            new(EntryKind.Type, "go_goroutines", Type: MetricType.Gauge),
            new(EntryKind.Series, "go_goroutines", 33, 123123, Labels: "{__name__=\"go_goroutines\"}"),
            new(EntryKind.Series, "testmetric{label=\"\\\"bar\\\"\"}", 1, Labels: "{__name__=\"testmetric\", label=\"\\\"bar\\\"\"}"),
            new(EntryKind.Help, "metric", Text: "foo\0bar"),
            new(EntryKind.Series, "null_byte_metric{a=\"abc\0\"}", 1, Labels: "{__name__=\"null_byte_metric\", a=\"abc\0\"}"),
        ];
        Assert.Equal(want, got);
    }

    [Fact]
    public void ParsesQuotedUtf8Names()
    {
        const string input = "# HELP \"go.gc_duration_seconds\" A summary.\n"
            + "{\"go.gc_duration_seconds\",quantile=\"0\"} 4.9351e-05\n"
            + "{ \"go.gc_duration_seconds\", quantile= \"1.0\", a= \"b\", } 8.3835e-05\n"
            + "{q=\"0.9\",\"http.status\",a=\"b\"} 1\n";
        var got = ParsedEntry.Drain(new PromTextParser(Encoding.UTF8.GetBytes(input)));
        Assert.Equal("go.gc_duration_seconds", got[0].M);
        Assert.Equal("{__name__=\"go.gc_duration_seconds\", quantile=\"0\"}", got[1].Labels);
        Assert.Equal("{__name__=\"go.gc_duration_seconds\", a=\"b\", quantile=\"1.0\"}", got[2].Labels);
        Assert.Equal("{__name__=\"http.status\", a=\"b\", q=\"0.9\"}", got[3].Labels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UnescapesQuotedNamesWithSpecialCharacters(bool openMetrics)
    {
        string page = "{\"Heiz\u00f6l 10\u20ac metric with \\\"interesting\\\" {character\\nchoices}\",\"strange\u00a9\\n'quoted' \\\"name\\\"\"=\"6\"} 10.0\n"
            + (openMetrics ? "# EOF\n" : string.Empty);
        var entries = openMetrics
            ? ParsedEntry.Drain(new OpenMetricsParser(Encoding.UTF8.GetBytes(page)))
            : ParsedEntry.Drain(new PromTextParser(Encoding.UTF8.GetBytes(page)));
        var pairs = new List<KeyValuePair<string, string>>();
        ExpositionText.ReadLabels(Encoding.UTF8.GetBytes(entries.Single().M), pairs);

        Assert.Equal(
            [new("__name__", "Heiz\u00f6l 10\u20ac metric with \"interesting\" {character\nchoices}"), new("strange\u00a9\n'quoted' \"name\"", "6")],
            pairs);
        Assert.Equal(10.0, entries.Single().V);
    }

    [Theory]
    [InlineData("a 1\n", 1.0)]
    [InlineData("a -1.5e3\n", -1500.0)]
    [InlineData("a +Inf\n", double.PositiveInfinity)]
    [InlineData("a -inf\n", double.NegativeInfinity)]
    [InlineData("a Infinity\n", double.PositiveInfinity)]
    [InlineData("a .5\n", 0.5)]
    [InlineData("a 5.\n", 5.0)]
    public void ParsesValues(string line, double want)
    {
        var p = new PromTextParser(Encoding.UTF8.GetBytes(line));
        Assert.Equal(EntryKind.Series, p.Next());
        Assert.Equal(want, p.Value);
        Assert.Equal(EntryKind.EndOfInput, p.Next());
    }

    [Theory]
    [InlineData("a NaN\n")]
    [InlineData("a nan\n")]
    [InlineData("a -NaN\n")]
    public void NaNIsPrometheusCanonicalNaNNotTheStaleMarker(string line)
    {
        var p = new PromTextParser(Encoding.UTF8.GetBytes(line));
        Assert.Equal(EntryKind.Series, p.Next());
        Assert.Equal(0x7ff8000000000001, BitConverter.DoubleToInt64Bits(p.Value));
        Assert.False(StaleMarker.Is(p.Value));
    }

    [Theory]
    [InlineData("a", "expected value after metric", 1, 1)]
    [InlineData("a{b='c'} 1\n", "expected label value", 1, 4)]
    [InlineData("a{b=\n", "expected label value", 1, 4)]
    [InlineData("a{\xff=\"foo\"} 1\n", "expected label name", 1, 2)]
    [InlineData("a{b=\"c\" x} 1\n", "expected equal", 1, 9)]
    [InlineData("a true\n", "invalid number", 1, 2)]
    [InlineData("something_weird{problem=\"", "unterminated label value", 1, 24)]
    [InlineData("empty_label_name{=\"\"} 0", "expected label name", 1, 17)]
    [InlineData("foo 1_2\n", "unsupported character in float", 1, 4)]
    [InlineData("foo 0x1p-3\n", "unsupported character in float", 1, 4)]
    [InlineData("foo 0 1_2\n", "invalid timestamp", 1, 6)]
    [InlineData("foo 0 -1\n", "invalid timestamp", 1, 6)]
    [InlineData("foo 0 1 2\n", "expected next entry after timestamp", 1, 8)]
    [InlineData("{a=\"ok\"} 1", "metric name not set", 1, 0)]
    [InlineData("# TYPE #\n", "expected metric name after TYPE", 1, 7)]
    [InlineData("# HELP #\n", "expected metric name after HELP", 1, 7)]
    [InlineData("ok 1\n# TYPE a foo\n", "invalid metric type", 2, 14)]
    [InlineData("ok 1\n# TYPE a unknown\n", "invalid metric type", 2, 14)]
    [InlineData("a{b=\0\"ssss\"} 1\n", "expected label value", 1, 4)]
    [InlineData("a{b\0=\"hiih\"}\t1", "expected equal", 1, 3)]
    [InlineData("a\0{b=\"ddd\"} 1", "expected value after metric", 1, 1)]
    [InlineData("a 0 1\0", "invalid timestamp", 1, 4)]
    [InlineData("ok 1\n\nbad{\n", "expected label name", 3, 10)]
    [InlineData("{\"a\", \"b\"} 1\n", "metric name set twice", 1, 9)]
    public void RejectsWithPosition(string input, string reason, int line, int offset)
    {
        var e = ParsedEntry.ErrorOf(input, openMetrics: false);
        Assert.NotNull(e);
        Assert.StartsWith(reason, e.Reason);
        Assert.Equal(line, e.Line);
        Assert.Equal(offset, e.Offset);
        Assert.Contains($"line {line}", e.Message);
    }

    [Fact]
    public void RejectsInvalidUtf8InLabelValue()
    {
        var bytes = "a{b=\"\xff\"} 1\n"u8.ToArray();
        bytes[5] = 0xff;
        var e = Assert.Throws<ExpositionParseException>(() => ParsedEntry.Drain(new PromTextParser(bytes)));
        Assert.Equal("invalid UTF-8 label value", e.Reason);
        Assert.Equal(5, e.Offset);
    }

    [Fact]
    public void UnescapesHelpWithTextRules()
    {
        var p = new PromTextParser("# HELP m a\\\\b\\nc\\\"d\n"u8);
        Assert.Equal(EntryKind.Help, p.Next());
        Assert.Equal("a\\b\nc\\\"d", ExpositionText.UnescapeHelp(p.Text, openMetrics: false));
        Assert.Equal("a\\b\nc\"d", ExpositionText.UnescapeHelp(p.Text, openMetrics: true));
    }
}
