using MetricsCluster.Ruler.Templating;
using MetricsCluster.Ruler.Templating.Exec;
using MetricsCluster.Ruler.Templating.Functions;
using Xunit;
using static MetricsCluster.Ruler.Tests.Templating.TemplateHarness;

namespace MetricsCluster.Ruler.Tests.Templating;

/// <summary>
/// Prometheus 2.42's template/template_test.go, TestTemplateExpansion and Test_floatToTime, restated: inputs and
/// expected outputs (or errors) verbatim. Left out: the html/template cases (ExpandHTML, <c>tmpl</c>; rule templates
/// are text templates) and the <c>missingkey=error</c> option (rule templates always run with <c>missingkey=zero</c>).
/// </summary>
public sealed class PrometheusTemplateTests
{
    private static readonly TemplateSample[] s_metricA = [Sample(11, "__name__", "metric", "instance", "a")];

    public static TheoryData<string, string> NoDataCases => new()
    {
        // No template.
        { "plain text", "plain text" },

        // Simple value.
        { "{{ 1 }}", "1" },

        // Non-ASCII space (not allowed in text/template).
        { "{{\u00a0}}", "ERROR: error parsing template test: template: test:1: unrecognized character in action: U+00A0" },

        // HTML escaping doesn't apply to non-html.
        { "{{ \"<b>\" }}", "<b>" },

        // Pass multiple arguments to templates.
        { "{{define \"x\"}}{{.arg0}} {{.arg1}}{{end}}{{template \"x\" (args 1 \"2\")}}", "1 2" },

        { "{{ \"foo.example.com\" | stripPort }}", "foo.example.com" },
        { "{{ \"foo.example.com:12345\" | stripPort }}", "foo.example.com" },
        { "{{ \"192.0.2.1\" | stripPort }}", "192.0.2.1" },
        { "{{ \"192.0.2.1:12345\" | stripPort }}", "192.0.2.1" },
        { "{{ \"2001:0DB8::1\" | stripPort }}", "2001:0DB8::1" },
        { "{{ \"[2001:0DB8::1]:12345\" | stripPort }}", "2001:0DB8::1" },
        { "{{ \"[2001:0DB8::1]::12345\" | stripPort }}", "[2001:0DB8::1]::12345" },

        // Missing value is no value for nil options.
        { "{{ .Foo }}", "<no value>" },

        // Unparsable template.
        { "{{", "ERROR: error parsing template test: template: test:1: unclosed action" },

        // Regex replacement.
        { "{{ reReplaceAll \"(a)b\" \"x$1\" \"ab\" }}", "xa" },

        {
            "{{ humanize \"one\" }}",
            "ERROR: error executing template test: template: test:1:3: executing \"test\" at <humanize \"one\">: error calling humanize: strconv.ParseFloat: parsing \"one\": invalid syntax"
        },
        {
            "{{ humanize1024 \"one\" }}",
            "ERROR: error executing template test: template: test:1:3: executing \"test\" at <humanize1024 \"one\">: error calling humanize1024: strconv.ParseFloat: parsing \"one\": invalid syntax"
        },
        {
            "{{ humanizeDuration \"one\" }}",
            "ERROR: error executing template test: template: test:1:3: executing \"test\" at <humanizeDuration \"one\">: error calling humanizeDuration: strconv.ParseFloat: parsing \"one\": invalid syntax"
        },
        { "{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | humanizePercentage }}", "-22.22%:0%:12.35%:123.5%" },
        { "{{ \"-0.22222\" | humanizePercentage }}:{{ \"0.0\" | humanizePercentage }}:{{ \"0.1234567\" | humanizePercentage }}:{{ \"1.23456\" | humanizePercentage }}", "-22.22%:0%:12.35%:123.5%" },
        {
            "{{ \"one\" | humanizePercentage }}",
            "ERROR: error executing template test: template: test:1:11: executing \"test\" at <humanizePercentage>: error calling humanizePercentage: strconv.ParseFloat: parsing \"one\": invalid syntax"
        },
        { "{{ 1435065584.128 | humanizeTimestamp }}", "2015-06-23 13:19:44.128 +0000 UTC" },
        { "{{ \"1435065584.128\" | humanizeTimestamp }}", "2015-06-23 13:19:44.128 +0000 UTC" },
        { "{{ (1435065584.128 | toTime).Format \"2006\" }}", "2015" },
        { "{{ (\"1435065584.128\" | toTime).Format \"2006\" }}", "2015" },
        { "{{ \"aa bb CC\" | title }}", "Aa Bb CC" },
        { "{{ \"aa bb CC\" | toUpper }}", "AA BB CC" },
        { "{{ \"aA bB CC\" | toLower }}", "aa bb cc" },
        { "{{ match \"a+\" \"aa\" }} {{ match \"a+\" \"b\" }}", "true false" },
        { "{{ graphLink \"up\" }}", "/graph?g0.expr=up&g0.tab=0" },
        { "{{ tableLink \"up\" }}", "/graph?g0.expr=up&g0.tab=1" },
        { "{{ pathPrefix }}", "/path/prefix" },
        { "{{ externalURL }}", "http://testhost:9090/path/prefix" },

        // parseDuration (using printf to ensure the return is a string).
        { "{{ printf \"%0.2f\" (parseDuration \"1h2m10ms\") }}", "3720.01" },
        { "{{ \"foo.example.com\" | stripDomain }}", "foo" },
        { "{{ \"foo.example.com:12345\" | stripDomain }}", "foo:12345" },
        { "{{ \"192.0.2.1\" | stripDomain }}", "192.0.2.1" },
        { "{{ \"192.0.2.1:12345\" | stripDomain }}", "192.0.2.1:12345" },
        { "{{ \"2001:0DB8::1\" | stripDomain }}", "2001:0DB8::1" },
        { "{{ \"[2001:0DB8::1]:12345\" | stripDomain }}", "[2001:0DB8::1]:12345" },
        { "{{ \"[2001:0DB8::1]::12345\" | stripDomain }}", "[2001:0DB8::1]::12345" },
    };

    [Theory]
    [MemberData(nameof(NoDataCases))]
    public async Task Expands_without_data_as_Prometheus(string text, string expected) =>
        Assert.Equal(expected, await ExpandAsync(text, default));

    // The input is a GoValue, boxed: test method signatures must be public, the value model is internal.
    public static TheoryData<string, string, object> InputCases => new()
    {
        { "{{ range . }}{{ humanize . }}:{{ end }}", "0:1:1.235M:120m:", Floats(0.0, 1.0, 1234567.0, .12) },
        { "{{ range . }}{{ humanize . }}:{{ end }}", "0:1:1.235M:120m:", Strings("0.0", "1.0", "1234567.0", ".12") },
        { "{{ range . }}{{ humanize . }}:{{ end }}", "0:-1:1:1.235M:9.223E:", Int64s(0, -1, 1, 1234567, long.MaxValue) },
        { "{{ range . }}{{ humanize . }}:{{ end }}", "0:1:1.235M:18.45E:", Uint64s(0, 1, 1234567, ulong.MaxValue) },
        { "{{ range . }}{{ humanize1024 . }}:{{ end }}", "0:1:1Mi:0.12:", Floats(0.0, 1.0, 1048576.0, .12) },
        { "{{ range . }}{{ humanize1024 . }}:{{ end }}", "0:1:1Mi:0.12:", Strings("0.0", "1.0", "1048576.0", ".12") },
        { "{{ range . }}{{ humanize1024 . }}:{{ end }}", "0:-1:1:1.177Mi:8Ei:", Int64s(0, -1, 1, 1234567, long.MaxValue) },
        { "{{ range . }}{{ humanize1024 . }}:{{ end }}", "0:1:1.177Mi:16Ei:", Uint64s(0, 1, 1234567, ulong.MaxValue) },
        {
            "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
            "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:",
            Floats(0, 1, 60, 3600, 86400, 86400 + 3600, -((86400 * 2) + (3600 * 3) + (60 * 4) + 5), 899.99)
        },
        { "{{ range . }}{{ humanizeDuration . }}:{{ end }}", "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:", Strings("0", "1", "60", "3600", "86400") },
        {
            "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
            "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:",
            Floats(.1, .0001, .12345, 60.1, 60.5, 1.2345, 12.345)
        },
        {
            "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
            "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:",
            Strings(".1", ".0001", ".12345", "60.1", "60.5", "1.2345", "12.345")
        },
        { "{{ range . }}{{ humanizeDuration . }}:{{ end }}", "0s:-1s:1s:14d 6h 56m 7s:", Ints(0, -1, 1, 1234567) },
        { "{{ range . }}{{ humanizeDuration . }}:{{ end }}", "0s:1s:14d 6h 56m 7s:", Uints(0, 1, 1234567) },
        {
            "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}",
            "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:",
            Floats(double.PositiveInfinity, double.NegativeInfinity, double.NaN)
        },
        {
            "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}",
            "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:",
            Strings("+Inf", "-Inf", "NaN")
        },
        { "{{ range . }}{{ humanizePercentage . }}:{{ end }}", "0%:-100%:100%:1.235e+08%:9.223e+20%:", Int64s(0, -1, 1, 1234567, long.MaxValue) },
        { "{{ range . }}{{ humanizePercentage . }}:{{ end }}", "0%:100%:1.235e+08%:1.845e+21%:", Uint64s(0, 1, 1234567, ulong.MaxValue) },
        {
            "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}",
            "1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:",
            Int64s(0, -1, 1, 1234567, 9223372036)
        },
        {
            "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}",
            "1970-01-01 00:00:00 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:",
            Uint64s(0, 1, 1234567, 9223372036)
        },
        {
            "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}",
            "ERROR: error executing template test: template: test:1:16: executing \"test\" at <humanizeTimestamp .>: error calling humanizeTimestamp: -9.223372036854776e+18 cannot be represented as a nanoseconds timestamp since it overflows int64",
            Int64s(long.MinValue, long.MaxValue)
        },
        {
            "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}",
            "ERROR: error executing template test: template: test:1:16: executing \"test\" at <humanizeTimestamp .>: error calling humanizeTimestamp: 1.8446744073709552e+19 cannot be represented as a nanoseconds timestamp since it overflows int64",
            Uint64s(ulong.MaxValue)
        },
    };

    [Theory]
    [MemberData(nameof(InputCases))]
    public async Task Expands_input_data_as_Prometheus(string text, string expected, object input) =>
        Assert.Equal(expected, await ExpandAsync(text, (GoValue)input));

    public static TheoryData<string, string, TemplateSample[]> QueryCases => new()
    {
        { "{{ query \"1.5\" | first | value }}", "1.5", [Sample(1.5)] },
        { "{{ query \"metric{instance='a'}\" | first | value }}", "11", s_metricA },
        { "{{ query \"metric{instance='a'}\" | first | label \"instance\" }}", "a", s_metricA },
        { "{{ query \"metric{__value__='a'}\" | first | strvalue }}", "a", [Sample(11, "__name__", "metric", "__value__", "a")] },

        // Missing label is empty when using label function, and when not.
        { "{{ query \"metric{instance='a'}\" | first | label \"foo\" }}", string.Empty, s_metricA },
        { "{{ $x := query \"metric\" | first }}{{ $x.Labels.foo }}", string.Empty, s_metricA },

        // Range over query and sort by label.
        {
            "{{ range query \"metric\" | sortByLabel \"instance\" }}{{.Labels.instance}}:{{.Value}}: {{end}}",
            "a:11: b:21: ",
            [Sample(21, "__name__", "metric", "instance", "b"), Sample(11, "__name__", "metric", "instance", "a")]
        },

        // Error in function.
        {
            "{{ query \"missing\" | first }}",
            "ERROR: error executing template test: template: test:1:21: executing \"test\" at <first>: error calling first: first() called on vector with no elements",
            []
        },

        // Panic.
        {
            "{{ (query \"missing\").banana }}",
            "ERROR: error executing template test: template: test:1:10: executing \"test\" at <\"missing\">: can't evaluate field banana in type template.queryResult",
            []
        },
    };

    [Theory]
    [MemberData(nameof(QueryCases))]
    public async Task Expands_query_results_as_Prometheus(string text, string expected, TemplateSample[] result) =>
        Assert.Equal(expected, await ExpandAsync(text, default, result));

    [Fact]
    public void FloatToTime_converts_seconds_and_rejects_what_overflows_int64_nanoseconds()
    {
        Assert.Equal(new DateTime(2022, 7, 7, 0, 53, 1, DateTimeKind.Utc), Humanize.ToTime(1657155181).Utc);
        Assert.Throws<GoFuncException>(() => Humanize.ToTime(1.79769313486231570814527423731704356798070e+300));
        Assert.Throws<GoFuncException>(() => Humanize.ToTime(-1.79769313486231570814527423731704356798070e+300));
    }
}
