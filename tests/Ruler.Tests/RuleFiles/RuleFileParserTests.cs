using System.Text;
using MetricsCluster.Ruler.RuleFiles;
using Xunit;

namespace MetricsCluster.Ruler.Tests.RuleFiles;

public sealed class RuleFileParserTests
{
    [Fact]
    public void A_valid_file_becomes_the_model()
    {
        var result = RuleFileParser.ParseFile("""
            groups:
              - name: api
                interval: 1h30m
                limit: 10
                query_offset: 30s
                source_tenants: [team-a, team-b]
                rules:
                  - record: job:http_requests:rate5m
                    expr: sum by (job) (rate(http_requests_total[5m]))
                    labels: {z: "1", a: "2"}
                  - alert: &name HighErrorRate
                    expr: |
                      job:http_requests:rate5m > 10
                    for: 5m
                    keep_firing_for: 1m
                    labels:
                      severity: page
                    annotations:
                      summary: too many errors
              - name: defaults
                rules: []
            """);

        Assert.Empty(result.Errors);
        var api = result.Groups[0];
        Assert.Equal(("api", TimeSpan.FromMinutes(90), 10, TimeSpan.FromSeconds(30)), (api.Name, api.Interval!.Value, api.Limit, api.QueryOffset!.Value));
        Assert.Equal(["team-a", "team-b"], api.SourceTenants);
        Assert.Equal(Rule.Recording("job:http_requests:rate5m", "sum by (job) (rate(http_requests_total[5m]))", new("z", "1"), new("a", "2")), api.Rules[0]);
        var alert = api.Rules[1];
        Assert.Equal(("HighErrorRate", "job:http_requests:rate5m > 10\n", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1)), (alert.Alert, alert.Expr, alert.For, alert.KeepFiringFor));
        Assert.Equal([new("severity", "page")], alert.Labels);
        Assert.Equal([new("summary", "too many errors")], alert.Annotations);
        Assert.Equal(new RuleGroup("defaults", []), result.Groups[1]);
    }

    [Fact]
    public void Every_error_of_a_file_is_reported_in_promtools_order()
    {
        var result = RuleFileParser.ParseFile("""
            groups:
              - name: g
                rules:
                  - record: bad name
                    expr: sum(up
                    for: 5m
                  - alert: A
                    expr: up
                    labels: {z-z: v, __name__: x}
                    annotations: {b-b: v}
              - name: g
                rules: []
            """);

        Assert.Equal(
            [
                "5:15: group \"g\", rule 1, \"bad name\": could not parse expression: 1:7: parse error: unclosed left parenthesis",
                "4:17: group \"g\", rule 1, \"bad name\": invalid field 'for' in recording rule",
                "4:17: group \"g\", rule 1, \"bad name\": invalid recording rule name: bad name",
                "group \"g\", rule 2, \"A\": invalid label name: __name__",
                "group \"g\", rule 2, \"A\": invalid label name: z-z",
                "group \"g\", rule 2, \"A\": invalid annotation name: b-b",
                "11:5: groupname: \"g\" is repeated in the same file",
            ],
            result.Errors);
        Assert.Empty(result.Groups);
    }

    [Theory]
    [InlineData("name: g\nrules:\n- record: a\n  expr: up\n  annotations: {a: b}\n", "3:11: group \"g\", rule 1, \"a\": invalid field 'annotations' in recording rule")]
    [InlineData("name: g\nrules:\n- record: a\n  expr: up\n  keep_firing_for: 5m\n", "3:11: group \"g\", rule 1, \"a\": invalid field 'keep_firing_for' in recording rule")]
    [InlineData("name: g\nrules:\n- expr: up\n", "0:0: group \"g\", rule 1, \"\": one of 'record' or 'alert' must be set")]
    [InlineData("name: g\nrules:\n- alert: a\n  record: b\n  expr: up\n", "4:11: 3:10: group \"g\", rule 1, \"a\": only one of 'record' and 'alert' must be set")]
    [InlineData("name: g\nrules:\n- alert: a\n", "0:0: group \"g\", rule 1, \"a\": field 'expr' must be set in rule")]
    [InlineData("name: g\nrules:\n- alert: a\n  expr: sum(rate(x[5m])) by\n", "4:9: group \"g\", rule 1, \"a\": could not parse expression: 1:20: parse error: unexpected end of input in grouping opts, expected \"(\"")]
    [InlineData("name: g\nrules:\n- alert: a\n  expr: up\n  for: 5\n", "not a valid duration string: \"5\"")]
    [InlineData("name: \"\"\nrules:\n- alert: a\n  expr: up\n", "invalid rules configuration: rule group name must not be empty")]
    [InlineData("name: g\nrules: []\n", "invalid rules configuration: rule group 'g' has no rules")]
    [InlineData("name: g\nrules:\n- alert: a\n  exp: up\n", "yaml: unmarshal errors:\n  line 4: field exp not found in type rulefmt.RuleNode")]
    [InlineData("name: g\nlimit: 1.5\nrules: {}\n", "yaml: unmarshal errors:\n  line 2: cannot unmarshal !!float `1.5` into int\n  line 3: cannot unmarshal !!map into []rulefmt.RuleNode")]
    [InlineData("name: g\nrules:\n- alert: a\n  expr: up\n  labels: {a: b, a: b, a: c}\n",
        "yaml: unmarshal errors:\n  line 5: mapping key \"a\" already defined at line 5\n  line 5: mapping key \"a\" already defined at line 5\n  line 5: mapping key \"a\" already defined at line 5")]
    public void One_group_with_one_mistake(string yaml, string error) =>
        Assert.Equal(error, Assert.Single(RuleFileParser.ParseGroup(yaml).Errors));

    [Fact]
    public void Unknown_fields_are_rejected_in_files_and_ignored_when_asked_as_mimirs_api_does()
    {
        const string yaml = "name: g\nevaluation_delay: 1m\nrules:\n- record: a\n  expr: up\n  comment: why\n";

        var strict = RuleFileParser.ParseGroup(yaml);
        var lenient = RuleFileParser.ParseGroup(yaml, UnknownFields.Ignore);

        Assert.True(strict.Undecodable);
        Assert.Equal(["yaml: unmarshal errors:\n  line 2: field evaluation_delay not found in type rulefmt.RuleGroup\n  line 6: field comment not found in type rulefmt.RuleNode"], strict.Errors);
        Assert.Equal(new RuleGroup("g", [Rule.Recording("a", "up")]), lenient.Group);
    }

    [Theory]
    [InlineData("groups:\n  - name: g\n   rules: []\n")]
    [InlineData("groups: [\n")]
    [InlineData("groups:\n  - *missing\n")]
    public void Text_that_is_not_yaml_is_one_error_with_its_line(string yaml)
    {
        var error = Assert.Single(RuleFileParser.ParseFile(yaml).Errors);
        Assert.StartsWith("yaml: line ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_an_error_and_a_byte_order_mark_is_not()
    {
        byte[] body = Encoding.UTF8.GetBytes("name: g\nrules:\n- record: a\n  expr: up\n  labels: {a: \"x\"}\n");
        Assert.True(RuleFileParser.ParseGroup([0xEF, 0xBB, 0xBF, .. body]).IsValid);

        body[^4] = 0xFF;
        var bad = RuleFileParser.ParseGroup(body);
        Assert.Equal((true, "yaml: invalid UTF-8 in input"), (bad.Undecodable, Assert.Single(bad.Errors)));
    }

    [Fact]
    public void A_label_value_that_utf8_cannot_hold_is_a_yaml_error_as_in_yaml_v3()
    {
        // The escape of a lone surrogate: yaml.v3 says "found invalid Unicode character escape code" at line 5 too.
        var result = RuleFileParser.ParseGroup("name: g\nrules:\n- record: a\n  expr: up\n  labels: {a: \"\\uD800\"}\n");
        Assert.True(result.Undecodable);
        Assert.StartsWith("yaml: line 5: ", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("groups:\n")]
    public void A_file_without_groups_is_valid(string yaml)
    {
        var result = RuleFileParser.ParseFile(yaml);
        Assert.Equal((true, 0), (result.IsValid, result.Groups.Count));
    }

    [Fact]
    public void Anchors_and_aliases_resolve()
    {
        var result = RuleFileParser.ParseFile("""
            groups:
              - name: g
                rules:
                  - record: a
                    expr: up
                    labels: &common {team: x}
                  - record: b
                    expr: up
                    labels: *common
            """);

        Assert.Equal(result.Groups[0].Rules[0].Labels, result.Groups[0].Rules[1].Labels);
    }

    /// <summary>Template parse errors come from the template engine (<c>RuleTemplates.ParseError</c>), in Go's wording.</summary>
    [Fact]
    public void Template_errors_of_alert_labels_and_annotations_use_prometheus_wording()
    {
        var result = RuleFileParser.ParseGroup("""
            name: g
            rules:
              - alert: A
                expr: up
                labels: {severity: "{{ nosuch }}"}
                annotations: {summary: "{{ $labels.instance }} is down", broken: "{{ if }}"}
            """);

        Assert.Equal(
            [
                "group \"g\", rule 1, \"A\": label \"severity\": template: __alert_A:1: function \"nosuch\" not defined",
                "group \"g\", rule 1, \"A\": annotation \"broken\": template: __alert_A:1: missing value for if",
            ],
            result.Errors);
    }
}
