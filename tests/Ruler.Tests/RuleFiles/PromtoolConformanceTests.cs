using System.Text;
using MetricsCluster.Ruler.RuleFiles;
using MetricsCluster.Tsdb.Tests.Block;
using Xunit;

namespace MetricsCluster.Ruler.Tests.RuleFiles;

/// <summary>
/// Our rule-file errors against the real <c>promtool check rules</c> (Debian's prometheus 2.42; installed when
/// missing, never skipped): the same files must give the same messages. Go iterates maps in random order, so the
/// messages are compared as sorted lists; the order of ours is pinned in <see cref="RuleFileParserTests"/>.
/// </summary>
public sealed class PromtoolConformanceTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mc-rulefiles-" + Guid.NewGuid().ToString("N"));

    public PromtoolConformanceTests() => Directory.CreateDirectory(_dir);

    public static TheoryData<string, string> Files => new()
    {
        {
            "every-rule-mistake", """
            groups:
              - name: g
                interval: 1m
                rules:
                  - record: "job:up:sum"
                    expr: sum by (job) (up)
                  - record: "bad name"
                    expr: sum(up
                    for: 5m
                    annotations:
                      summary: no
                  - alert: Both
                    record: both
                    expr: up
                  - expr: up
                  - record: no_expr
                  - alert: HighLatency
                    expr: up == 0
                    labels:
                      "bad-label": v
                      __name__: x
                      ok: fine
                    annotations:
                      "bad-annotation": x
                  - record: kept
                    expr: up
                    keep_firing_for: 1m
                  - alert: "quoted \"name\" ü"
                    expr: |
                      rate(x[5m])
                        / on() sum(
                  - record: ""
                    alert: ""
                    expr: up
                  - record: "up{job=\"a\"}"
                    expr: foo(up)
                  - record: ~
                    expr: null
              - name: g
                rules: []
              - name: ""
                rules:
                  - record: x
                    expr: 1 +
              - name: "ünïcode \t tab"
                rules:
                  - record: y
                    expr: sum(rate(a[5m])) by
            """
        },
        {
            "unknown-fields", """
            groups:
              - name: g
                foo: 1
                rules:
                  - record: a
                    expr: up
                    bar: 2
                  - alert: b
                    expr: up
                    labels: {a: b}
                    annotation: {x: y}
            extra: true
            """
        },
        {
            "shapes-and-duplicates", """
            groups:
              - name: g
                limit: x
                rules:
                  - record: a
                    expr: up
                    labels: {a: b, a: c}
                  - record: b
                    expr: up
                    labels: [1, 2]
                  - record: c
                    record: d
                    expr: up
              - name: [not, a, string]
                rules: {}
              - just a string
            """
        },
        { "bad-duration", "groups:\n  - name: g\n    interval: 1x\n    rules:\n      - record: a\n        expr: up\n" },
        { "empty", string.Empty },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Promtool_and_we_report_the_same_errors(string name, string yaml)
    {
        string file = Path.Combine(_dir, name + ".yaml");
        File.WriteAllText(file, yaml, new UTF8Encoding(false));

        var (code, _, stderr) = PromtoolRunner.RunUnchecked("check", "rules", file);
        var theirs = PromtoolErrors(stderr, file);
        var ours = RuleFileParser.ParseFile(File.ReadAllBytes(file)).Errors;

        Assert.Equal(code == 0, ours.Count == 0);
        Assert.Equal(theirs.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void What_we_write_promtool_reads()
    {
        // Only the fields Prometheus 2.42 has: query_offset and source_tenants are newer or Mimir's.
        var group = new RuleGroup("api", TimeSpan.FromMinutes(2), 10, null,
        [
            Rule.Recording("job:up:sum", "sum by (job) (up)", KeyValuePair.Create("team", "a: b")),
            new Rule(null, "Down", "up == 0\nand on() vector(1)\n", TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30),
                [KeyValuePair.Create("severity", "true")], [KeyValuePair.Create("summary", "# not a comment"), KeyValuePair.Create("text", "  two\nlines\n\n")]),
        ], []);
        string file = Path.Combine(_dir, "written.yaml");
        File.WriteAllText(file, RuleFileSerializer.ToRuleFile([group, new RuleGroup("other", [Rule.Recording("job:up:count", "count by (job) (up)")])]), new UTF8Encoding(false));

        var (code, stdout, stderr) = PromtoolRunner.RunUnchecked("check", "rules", file);

        Assert.True(code == 0, stdout + stderr);
        Assert.True(stdout.Contains("SUCCESS: 3 rules found", StringComparison.Ordinal), stdout + stderr);
    }

    /// <summary>Template parse errors come from the template engine (<c>RuleTemplates.ParseError</c>), in Go's wording.</summary>
    [Fact]
    public void Promtool_and_we_report_the_same_template_errors() => Promtool_and_we_report_the_same_errors("templates", """
        groups:
          - name: g
            rules:
              - alert: Down
                expr: up == 0
                labels:
                  severity: "{{ nosuch }}"
                  plain: no template here
                annotations:
                  summary: "{{ $labels.instance }} is down ({{ $value | humanize }})"
                  broken: "{{ if }}"
                  unclosed: "{{ .Labels"
        """);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // promtool prints "  FAILED:" and then each error as "<file>: <error>"; an error may span lines.
    private static List<string> PromtoolErrors(string stderr, string file)
    {
        var errors = new List<string>();
        foreach (string line in stderr.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (line.StartsWith(file + ": ", StringComparison.Ordinal))
            {
                errors.Add(line[(file.Length + 2)..]);
            }
            else if (errors.Count > 0 && line.Length > 0)
            {
                errors[^1] += "\n" + line;
            }
        }

        return errors;
    }
}
