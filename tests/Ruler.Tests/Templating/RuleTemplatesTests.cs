using MetricsCluster.Ruler.Templating;
using Xunit;

namespace MetricsCluster.Ruler.Tests.Templating;

/// <summary>
/// The contract of <see cref="RuleTemplates"/>: Go's parse error texts (what <c>promtool check rules</c> reports, with
/// lines counted after the prepended definitions), the error form of expansions, the query function's arguments,
/// errors and cancellation, the depth bound, and concurrent use of the cache. Expected error texts were printed by Go.
/// </summary>
public sealed class RuleTemplatesTests
{
    private static readonly TemplateData s_data = new(
        [new("__name__", "up"), new("instance", "a:9100"), new("job", "node")], [new("cluster", "eu1")], string.Empty, 1.5, 1_700_000_000_123);

    [Theory]
    [InlineData("{{ $value }} ok", null)]
    [InlineData("no template", null)]
    [InlineData("{{ nosuch }}", "template: __alert_HighLoad:1: function \"nosuch\" not defined")]
    [InlineData("{{ $foo }}", "template: __alert_HighLoad:1: undefined variable \"$foo\"")]
    [InlineData("{{ 1 }", "template: __alert_HighLoad:1: unexpected \"}\" in operand")]
    [InlineData("{{", "template: __alert_HighLoad:1: unclosed action")]
    [InlineData("x\n{{ if true }}", "template: __alert_HighLoad:2: unexpected EOF")]
    [InlineData("{{ end }}", "template: __alert_HighLoad:1: unexpected {{end}}")]
    [InlineData("{{ else }}", "template: __alert_HighLoad:1: unexpected {{else}}")]
    [InlineData("{{ 1 | 2 }}", "template: __alert_HighLoad:1: non executable command in pipeline stage 2")]
    [InlineData("{{ \"unterminated }}", "template: __alert_HighLoad:1: unterminated quoted string")]
    [InlineData("a\n\n{{ (1 }}", "template: __alert_HighLoad:3: unclosed left paren")]
    [InlineData("{{ if }}{{ end }}", "template: __alert_HighLoad:1: missing value for if")]
    [InlineData("{{ range $a, $b, $c := . }}{{ end }}", "template: __alert_HighLoad:1: too many declarations in range")]
    [InlineData("{{ break }}", "template: __alert_HighLoad:1: {{break}} outside {{range}}")]
    [InlineData("{{ 089 }}", "template: __alert_HighLoad:1: integer overflow: \"089\"")]
    [InlineData("{{ .x := 1 }}", "template: __alert_HighLoad:1: unexpected \":=\" in operand")]
    [InlineData("{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}", "template: __alert_HighLoad:1: template: multiple definition of template \"a\"")]
    [InlineData("{{ /* c */ x }}", "template: __alert_HighLoad:1: unexpected \"/\" in command")]
    [InlineData("{{\u00a0}}", "template: __alert_HighLoad:1: unrecognized character in action: U+00A0")]
    [InlineData("line 1\nline 2 {{ humanize\n  $value | nosuch }}", "template: __alert_HighLoad:3: function \"nosuch\" not defined")]
    [InlineData("{{ template x }}", "template: __alert_HighLoad:1: unexpected \"x\" in template clause")]
    [InlineData("{{ 'ab' }}", "template: __alert_HighLoad:1: malformed character constant: 'ab'")]
    public void ParseError_is_Gos_text(string text, string? expected) =>
        Assert.Equal(expected, RuleTemplates.ParseError("__alert_HighLoad", text));

    [Fact]
    public void ParseError_bounds_nesting_with_Gos_later_message()
    {
        Assert.Null(RuleTemplates.ParseError("__alert_X", "{{ " + new string('(', 999) + "1" + new string(')', 999) + " }}"));
        Assert.Equal(
            "template: __alert_X:1: max expression depth exceeded",
            RuleTemplates.ParseError("__alert_X", "{{ " + new string('(', 1001) + "1" + new string(')', 1001) + " }}"));
    }

    [Fact]
    public async Task Errors_expand_to_Prometheus_error_text_with_columns_counting_the_definitions()
    {
        Assert.Equal(
            "<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing \"__alert_X\" at <humanize \"x\">: error calling humanize: strconv.ParseFloat: parsing \"x\": invalid syntax>",
            await ExpandAsync("{{ humanize \"x\" }}"));
        Assert.Equal(
            "<error expanding template: error parsing template __alert_X: template: __alert_X:1: function \"nosuch\" not defined>",
            await ExpandAsync("{{ nosuch }}"));
    }

    [Fact]
    public async Task Without_an_external_URL_pathPrefix_and_externalURL_fail_as_in_promtool()
    {
        Assert.Equal(
            "<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing \"__alert_X\" at <pathPrefix>: error calling pathPrefix: runtime error: invalid memory address or nil pointer dereference>",
            await ExpandAsync("{{ pathPrefix }}"));
        Assert.Equal(
            "/prom|http://h:9090/prom",
            await RuleTemplates.ExpandAsync("X", "{{ pathPrefix }}|{{ externalURL }}", s_data with { ExternalUrl = "http://h:9090/prom" }, null, CancellationToken.None));
    }

    [Fact]
    public async Task Query_gets_the_expression_and_the_evaluation_time()
    {
        var calls = new List<(string, long)>();
        TemplateQuery query = (q, ts, _) =>
        {
            calls.Add((q, ts));
            return Task.FromResult<IReadOnlyList<TemplateSample>>([new([new("__name__", "up"), new("instance", "b")], 42)]);
        };
        string result = await RuleTemplates.ExpandAsync("X", "{{ with query \"up{job='node'}\" }}{{ (first .).Labels.instance }}={{ . | first | value }}{{ end }}", s_data, query, CancellationToken.None);
        Assert.Equal("b=42", result);
        Assert.Equal([("up{job='node'}", 1_700_000_000_123L)], calls);
    }

    [Fact]
    public async Task A_failing_or_missing_query_function_is_the_templates_error()
    {
        TemplateQuery failing = (_, _, _) => throw new InvalidOperationException("parse error: unexpected end of input");
        Assert.Equal(
            "<error expanding template: error executing template __alert_X: template: __alert_X:1:115: executing \"__alert_X\" at <query \"up\">: error calling query: parse error: unexpected end of input>",
            await RuleTemplates.ExpandAsync("X", "{{ query \"up\" }}", s_data, failing, CancellationToken.None));
        Assert.EndsWith(
            "error calling query: runtime error: invalid memory address or nil pointer dereference>",
            await RuleTemplates.ExpandAsync("X", "{{ query \"up\" }}", s_data, null, CancellationToken.None));
    }

    [Fact]
    public async Task Cancellation_cancels_the_expansion_instead_of_becoming_its_text()
    {
        using var cts = new CancellationTokenSource();
        TemplateQuery query = async (_, _, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return [];
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => RuleTemplates.ExpandAsync("X", "{{ query \"up\" }}", s_data, query, cts.Token));

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => RuleTemplates.ExpandAsync("X", "{{ range $labels }}{{ . }}{{ end }}", s_data, null, cancelled.Token));
    }

    [Fact]
    public async Task Runaway_recursion_stops_at_the_depth_bound_with_Gos_error()
    {
        Assert.Equal(
            "<error expanding template: error executing template __alert_X: template: __alert_X:1:140: executing \"t\" at <{{template \"t\"}}>: exceeded maximum template depth (1000)>",
            await ExpandAsync("{{ define \"t\" }}{{ template \"t\" }}{{ end }}{{ template \"t\" }}"));

        // Legitimate recursion just under the bound runs to the end.
        Assert.Equal(
            "999",
            await ExpandAsync("{{ define \"t\" }}{{ if lt (len .) 999 }}{{ template \"t\" (printf \"%sx\" .) }}{{ else }}{{ len . }}{{ end }}{{ end }}{{ template \"t\" \"\" }}"));
    }

    [Fact]
    public async Task Concurrent_expansions_of_one_cached_template_keep_their_own_data()
    {
        const string Text = "{{ range $k, $v := $labels }}{{ $k }}={{ $v }} {{ end }}{{ humanize $value }}";
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => RuleTemplates.ExpandAsync(
            "X", Text, s_data with { Labels = [new("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))], Value = i * 1000 }, null, CancellationToken.None))));
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal($"i={i} {MetricsCluster.Ruler.Templating.Functions.Humanize.Number(i * 1000)}", results[i]);
        }
    }

    [Fact]
    public async Task Plain_text_is_returned_as_is()
    {
        Assert.Equal("no braces here { }", await ExpandAsync("no braces here { }"));
        Assert.Equal(string.Empty, await ExpandAsync(string.Empty));
    }

    private static Task<string> ExpandAsync(string text) => RuleTemplates.ExpandAsync("X", text, s_data, null, CancellationToken.None);
}
