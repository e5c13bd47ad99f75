using System.Text;
using MetricsCluster.Agent.Parsing;
using Xunit;

namespace MetricsCluster.Agent.Tests.Parsing;

/// <summary>Cases from Prometheus' <c>openmetricsparse_test.go</c> (TestOpenMetricsParse, ...Errors, null bytes), restated.</summary>
public sealed class OpenMetricsParserTests
{
    [Fact]
    public void ParsesMetadataSamplesAndSkipsExemplars()
    {
        const string input = "# HELP go_gc_duration_seconds A summary of the GC invocation durations.\n"
            + "# TYPE go_gc_duration_seconds summary\n"
            + "# UNIT go_gc_duration_seconds seconds\n"
            + "go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05\n"
            + "go_gc_duration_seconds{quantile=\"0.25\"} 7.424100000000001e-05\n"
            + "# HELP nohelp1 \n"
            + "# HELP help2 escape \\ \\n \\\\ \\\" \\x chars\n"
            + "# TYPE hh histogram\n"
            + "hh_bucket{le=\"+Inf\"} 1\n"
            + "# TYPE gh gaugehistogram\n"
            + "gh_bucket{le=\"+Inf\"} 1\n"
            + "# TYPE ii info\n"
            + "ii{foo=\"bar\"} 1\n"
            + "# TYPE ss stateset\n"
            + "ss{ss=\"foo\"} 1\n"
            + "# TYPE un unknown\n"
            + "_metric_starting_with_underscore 1\n"
            + "testmetric{label=\"\\\"bar\\\"\"} 1\n"
            + "# TYPE foo counter\n"
            + "foo_total 17.0 1520879607.789 # {id=\"counter-test\"} 5\n"
            + "foo_total 18 # {id=\"counter-test\"} 5 1520879607.789\n"
            + "foo_total{a=\"b\"} 17.0 # {} 5\n"
            + "metric -1.5 -1.5\n"
            + "# EOF\n";

        var got = ParsedEntry.Drain(new OpenMetricsParser(Encoding.UTF8.GetBytes(input)));

        ParsedEntry[] want =
        [
            new(EntryKind.Help, "go_gc_duration_seconds", Text: "A summary of the GC invocation durations."),
            new(EntryKind.Type, "go_gc_duration_seconds", Type: MetricType.Summary),
            new(EntryKind.Unit, "go_gc_duration_seconds", Text: "seconds"),
            new(EntryKind.Series, "go_gc_duration_seconds{quantile=\"0\"}", 4.9351e-05, Labels: "{__name__=\"go_gc_duration_seconds\", quantile=\"0\"}"),
            new(EntryKind.Series, "go_gc_duration_seconds{quantile=\"0.25\"}", 7.424100000000001e-05, Labels: "{__name__=\"go_gc_duration_seconds\", quantile=\"0.25\"}"),
            new(EntryKind.Help, "nohelp1", Text: string.Empty),
            new(EntryKind.Help, "help2", Text: "escape \\ \\n \\\\ \\\" \\x chars"),
            new(EntryKind.Type, "hh", Type: MetricType.Histogram),
            new(EntryKind.Series, "hh_bucket{le=\"+Inf\"}", 1, Labels: "{__name__=\"hh_bucket\", le=\"+Inf\"}"),
            new(EntryKind.Type, "gh", Type: MetricType.GaugeHistogram),
            new(EntryKind.Series, "gh_bucket{le=\"+Inf\"}", 1, Labels: "{__name__=\"gh_bucket\", le=\"+Inf\"}"),
            new(EntryKind.Type, "ii", Type: MetricType.Info),
            new(EntryKind.Series, "ii{foo=\"bar\"}", 1, Labels: "{__name__=\"ii\", foo=\"bar\"}"),
            new(EntryKind.Type, "ss", Type: MetricType.StateSet),
            new(EntryKind.Series, "ss{ss=\"foo\"}", 1, Labels: "{__name__=\"ss\", ss=\"foo\"}"),
            new(EntryKind.Type, "un", Type: MetricType.Unknown),
            new(EntryKind.Series, "_metric_starting_with_underscore", 1, Labels: "{__name__=\"_metric_starting_with_underscore\"}"),
            new(EntryKind.Series, "testmetric{label=\"\\\"bar\\\"\"}", 1, Labels: "{__name__=\"testmetric\", label=\"\\\"bar\\\"\"}"),
            new(EntryKind.Type, "foo", Type: MetricType.Counter),
            new(EntryKind.Series, "foo_total", 17, 1520879607789, Labels: "{__name__=\"foo_total\"}"),
            new(EntryKind.Series, "foo_total", 18, Labels: "{__name__=\"foo_total\"}"),
            new(EntryKind.Series, "foo_total{a=\"b\"}", 17, Labels: "{__name__=\"foo_total\", a=\"b\"}"),
            new(EntryKind.Series, "metric", -1.5, -1500, Labels: "{__name__=\"metric\"}"),
        ];
        Assert.Equal(want, got);
    }

    [Theory]
    [InlineData("# EOF")]
    [InlineData("# EOF\n")]
    [InlineData("null_byte_metric{a=\"abc\0\"} 1\n# EOF\n")]
    [InlineData("a{b=\"\0\"} 1\n# EOF")]
    [InlineData("{\"go.gc_duration_seconds\",quantile=\"0\"} 1\n# EOF\n")]
    public void AcceptsValidPages(string input) => Assert.Null(ParsedEntry.ErrorOf(input, openMetrics: true));

    [Theory]
    [InlineData("", "data does not end with # EOF", 1, 0)]
    [InlineData("\n", "expected a valid start token", 1, 0)]
    [InlineData("metric", "expected value after metric", 1, 6)]
    [InlineData("metric 1", "data does not end with # EOF", 1, 8)]
    [InlineData("metric 1\n", "data does not end with # EOF", 2, 9)]
    [InlineData("metric_total 1 # {aa=\"bb\"} 4", "data does not end with # EOF", 1, 28)]
    [InlineData("a\n#EOF\n", "expected value after metric", 1, 1)]
    [InlineData(" a 1\n# EOF\n", "expected a valid start token", 1, 0)]
    [InlineData("9\n# EOF\n", "expected a valid start token", 1, 0)]
    [InlineData("# TYPE u untyped\n# EOF\n", "invalid metric type", 1, 9)]
    [InlineData("# TYPE c counter \n# EOF\n", "invalid metric type", 1, 9)]
    [InlineData("#  TYPE c counter\n# EOF\n", "expected a valid start token", 1, 0)]
    [InlineData("# TYPE \n# EOF\n", "expected metric name after TYPE", 1, 7)]
    [InlineData("# TYPE m\n# EOF\n", "expected text in TYPE", 1, 8)]
    [InlineData("# UNIT metric suffix\n# EOF\n", "unit is not a suffix", 1, 14)]
    [InlineData("# UNIT metricsuffix suffix\n# EOF\n", "unit is not a suffix", 1, 20)]
    [InlineData("# UNIT m suffix\n# EOF\n", "unit is not a suffix", 1, 9)]
    [InlineData("# UNIT m\n# EOF\n", "expected text in UNIT", 1, 8)]
    [InlineData("# HELP m\n# EOF\n", "expected text in HELP", 1, 8)]
    [InlineData("a\t1\n# EOF\n", "expected value after metric", 1, 1)]
    [InlineData("a 1\t2\n# EOF\n", "invalid number", 1, 2)]
    [InlineData("a 1 2 \n# EOF\n", "expected next entry after timestamp", 1, 5)]
    [InlineData("a 1 2 #\n# EOF\n", "expected next entry after timestamp", 1, 5)]
    [InlineData("a 1 1z\n# EOF\n", "invalid number", 1, 4)]
    [InlineData("a 1 1 1\n# EOF\n", "expected next entry after timestamp", 1, 5)]
    [InlineData(" # EOF\n", "expected a valid start token", 1, 0)]
    [InlineData("# EOF\na 1", "unexpected data after # EOF", 1, 5)]
    [InlineData("# EOF\n\n", "unexpected data after # EOF", 1, 5)]
    [InlineData("# EOFa 1", "unexpected data after # EOF", 1, 5)]
    [InlineData("#\tTYPE c counter\n", "expected a valid start token", 1, 0)]
    [InlineData("# TYPE c  counter\n", "invalid metric type", 1, 9)]
    [InlineData("a{b='c'} 1\n# EOF\n", "expected label value", 1, 4)]
    [InlineData("a{,b=\"c\"} 1\n# EOF\n", "expected label name", 1, 2)]
    [InlineData("a{b=\"c\"d=\"e\"} 1\n# EOF\n", "expected comma or brace close", 1, 7)]
    [InlineData("a{b=\"c\",,d=\"e\"} 1\n# EOF\n", "expected label name", 1, 8)]
    [InlineData("a{b=\"c\",} 1\n# EOF\n", "expected label name", 1, 8)]
    [InlineData("a{b=\"c\", d=\"e\"} 1\n# EOF\n", "expected label name", 1, 8)]
    [InlineData("a{b=\n# EOF\n", "expected label value", 1, 4)]
    [InlineData("empty_label_name{=\"\"} 0\n# EOF\n", "expected label name", 1, 17)]
    [InlineData("foo 1_2\n\n# EOF\n", "unsupported character in float", 1, 4)]
    [InlineData("foo 0 1_2\n\n# EOF\n", "unsupported character in float", 1, 6)]
    [InlineData("custom_metric_total 1 # {aa=bb}\n# EOF\n", "expected label value", 1, 28)]
    [InlineData("custom_metric_total 1 # {aa=\"bb\"}\n# EOF\n", "expected value after exemplar labels", 1, 33)]
    [InlineData("custom_metric_total 1 # {bb}", "expected equal", 1, 27)]
    [InlineData("custom_metric_total 1 # {aa=\"bb\"} true", "invalid number", 1, 34)]
    [InlineData("custom_metric_total 1 # {\"a\"} 1", "metric name set twice or not allowed here", 1, 28)]
    [InlineData("{b=\"c\"} 1", "metric name not set", 1, 0)]
    [InlineData("a 1 NaN", "invalid timestamp", 1, 4)]
    [InlineData("a 1 -Inf", "invalid timestamp", 1, 4)]
    [InlineData("# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 NaN", "invalid exemplar timestamp", 2, 59)]
    [InlineData("ok 1\n# random comment\n# EOF\n", "expected a valid start token", 2, 5)]
    [InlineData("a{b=\0\"ssss\"} 1\n# EOF\n", "expected label value", 1, 4)]
    [InlineData("a{b=\"\0", "unterminated label value", 1, 4)]
    public void RejectsWithPosition(string input, string reason, int line, int offset)
    {
        var e = ParsedEntry.ErrorOf(input, openMetrics: true);
        Assert.NotNull(e);
        Assert.StartsWith(reason, e.Reason);
        Assert.Equal(line, e.Line);
        Assert.Equal(offset, e.Offset);
    }

    [Theory]
    [InlineData("a 1 1520879607.789\n# EOF\n", 1520879607789)]
    [InlineData("a 1 -1.5\n# EOF\n", -1500)]
    [InlineData("a 1 0.0019\n# EOF\n", 1)]
    [InlineData("a 1 1e3\n# EOF\n", 1000000)]
    public void TimestampsAreSecondsTruncatedToMilliseconds(string input, long wantMs)
    {
        var p = new OpenMetricsParser(Encoding.UTF8.GetBytes(input));
        Assert.Equal(EntryKind.Series, p.Next());
        Assert.True(p.HasTimestamp);
        Assert.Equal(wantMs, p.TimestampMs);
    }
}
