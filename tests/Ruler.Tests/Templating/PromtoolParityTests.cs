using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using MetricsCluster.Ruler.Templating;
using MetricsCluster.Tsdb.Tests.Block;
using Xunit;

namespace MetricsCluster.Ruler.Tests.Templating;

/// <summary>
/// Parity with the real Prometheus 2.42: a rules file whose alert labels and annotations are templates, and a
/// <c>promtool test rules</c> file whose expected labels and annotations are our expansions of them. promtool
/// compares them exactly, so one differing byte fails the test (with promtool's exp/got listing as the message).
/// Parse errors are compared with what <c>promtool check rules</c> reports. promtool is installed when missing; the
/// test never skips.
/// </summary>
public sealed class PromtoolParityTests : IDisposable
{
    private const string ExternalUrl = "http://prom.example.com:9090/prom";
    private const long EvalMs = 60_000;

    private static readonly JsonSerializerOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    // Values whose formatting differs in interesting ways: exponents, rounding ties, tiny and huge, NaN and infinities.
    private static readonly double[] s_values =
    [
        0, 1, -1, 0.5, 2.5, 1234.5678, 1234.5, 999.95, 100000, 1e6, 123456789, 1e21, -3.5e-7, 1.2345678e-5, 0.000123456,
        86400 * 3.5, 1435065584.128, 1e100, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
    ];

    // Each alert of s_values gets all of these, with its own $value.
    private static readonly string[] s_valueTemplates =
    [
        "{{ $value }}",
        "{{ .Value }}|{{ $labels.case }}|{{ $labels.__name__ }}",
        "{{ humanize $value }}|{{ humanize1024 $value }}|{{ humanizeDuration $value }}|{{ humanizePercentage $value }}",
        "{{ humanizeTimestamp $value }}",
        "{{ printf \"%.2f|%g|%e|%.3e|%v|%5.1f|%-10.4g|%+.0f|%G|%.0e|%08.3f|%x\" $value $value $value $value $value $value $value $value $value $value $value $value }}",
        "{{ $value | printf \"%.1f%%\" }}",
        "{{ if gt $value 100.0 }}high{{ else if lt $value 0.0 }}negative{{ else if eq $value 0.0 }}zero{{ else }}low{{ end }}",
        "{{ toTime $value }}",
        "{{ with $v := $value }}{{ $v | humanize }} of {{ len $labels }} labels{{ end }}",
        "{{ printf \"%d\" $value }}",
        "{{ humanize (printf \"%.3f\" $value) }}",
    ];

    // Templates for one alert with richer labels: functions, control structures, queries, errors.
    private static readonly string[] s_richTemplates =
    [
        "{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}",
        "{{ range $i, $e := query \"sort_desc(parity_up)\" }}{{ $i }}:{{ $e.Labels.instance }}={{ $e.Value }} {{ end }}",
        "{{ range query \"parity_up\" | sortByLabel \"instance\" }}{{ .Labels.instance }} {{ end }}",
        "{{ query \"parity_up{instance='b:9100'}\" | first | value | humanize }}",
        "{{ query \"sort_desc(parity_up)\" | first | label \"instance\" }}|{{ (query \"sort(parity_up)\" | first).Labels.instance }}",
        "{{ with query \"time()\" }}{{ . | first | value | humanizeTimestamp }}{{ end }}",
        "{{ query \"1 + 1\" | first | value }}|{{ len (query \"parity_up\") }}",
        "{{ query \"nosuch_metric\" | first }}",
        "{{ if query \"nosuch_metric\" }}some{{ else }}none{{ end }}",
        "{{ reReplaceAll \"(.*):.*\" \"$1\" $labels.instance }}|{{ $labels.instance | reReplaceAll \":[0-9]+$\" \"\" }}|{{ reReplaceAll \"a*\" \"-\" \"baaac\" }}",
        "{{ title \"hello world foo_bar\" }}|{{ toUpper $labels.job }}|{{ toLower \"ABC\" }}",
        "{{ match \"^host\" $labels.instance }}|{{ match \"(?i)NODE\" $labels.job }}",
        "{{ graphLink \"rate(parity_up[5m]) > 0\" }}|{{ tableLink \"parity_up\" }}",
        "{{ stripPort $labels.instance }}|{{ stripDomain $labels.instance }}|{{ stripDomain \"10.0.0.1:80\" }}",
        "{{ $externalLabels.cluster }}|{{ $externalURL }}|{{ .ExternalURL }}",
        "{{ index $labels \"job\" }}|{{ index $labels \"nosuch\" }}|{{ slice \"abcdef\" 1 3 }}|{{ len \"héllo\" }}",
        "{{ not true }} {{ and 1 0 }} {{ or 0 \"\" \"x\" }} {{ eq \"a\" \"a\" \"b\" }} {{ ne 1 2 }} {{ le 2 2 }}",
        "{{ define \"x\" }}[{{ . }}]{{ end }}{{ template \"x\" $labels.job }}{{ template \"x\" (args 1 \"two\").arg1 }}",
        "{{ block \"b\" $labels.job }}<{{ . }}>{{ end }}",
        "{{ html \"<b>&'\" }} {{ js \"a'b<c\" }} {{ urlquery \"a b&c/d\" }} {{ \"<b>\" | safeHtml }}",
        "{{ parseDuration \"1h30m\" }}|{{ printf \"%.2f\" (parseDuration \"1h2m10ms\") }}",
        "{{- \"  trimmed  \" -}}  \n  x  {{- 1 -}}  ",
        "a {{/* comment */}} b",
        "{{ $x := 5 }}{{ $x }}{{ $x = 6 }}{{ $x }}",
        "{{ range $i, $x := query \"parity_up\" }}{{ if eq $i 1 }}{{ break }}{{ end }}{{ $i }}{{ end }}",
        "{{ print 1 2 \"a\" \"b\" 3 }}|{{ println \"a\" 1 }}|{{ printf \"%q %x %5d|%-5s|%c %U\" \"hi\" 255 42 \"ab\" 65 9731 }}",
        "{{ printf \"%d %s\" \"x\" 1 }}|{{ printf \"%d\" }}|{{ printf \"x\" 1 }}|{{ printf \"%v\" $labels }}|{{ printf \"%T\" $labels }}",
        "{{ 1e6 }} {{ 0.1 }} {{ 3.0 }} {{ 0x1F }} {{ 'a' }} {{ 1_000 }} {{ 017 }}",
        "{{ humanize \"abc\" }}",
        "{{ .Foo }}",
        "{{ title 1 }}",
        "{{ range 3 }}x{{ end }}",
        "{{ eq $value 1 }}",
        "{{ pathPrefix }}",
        "{{ externalURL }}",
        "{{ (toTime 1435065584.128).Format \"2006-01-02T15:04:05.000Z07:00 Mon Jan _2\" }}",
        "line1\nline2 {{ humanize\n \"x\" }}",
    ];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mc-ruler-parity-" + Guid.NewGuid().ToString("N"));

    public PromtoolParityTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Alert_labels_and_annotations_expand_byte_for_byte_as_in_promtool_test_rules()
    {
        var rules = new List<object>();
        var expectations = new List<object>();
        for (int i = 0; i < s_values.Length; i++)
        {
            var labels = Sorted(("__name__", "parity_value"), ("case", i.ToString(CultureInfo.InvariantCulture)));
            await AddAlertAsync(rules, expectations, "Value" + i, $"parity_value{{case=\"{i}\"}}", labels, s_values[i], s_valueTemplates);
        }

        var rich = Sorted(("__name__", "parity_host"), ("instance", "host1.example.com:9100"), ("job", "node"));
        await AddAlertAsync(rules, expectations, "Rich", "parity_host", rich, 1234.5678, s_richTemplates);

        var series = new List<object>
        {
            new { series = "parity_host{instance=\"host1.example.com:9100\",job=\"node\"}", values = "1234.5678 1234.5678" },
            new { series = "parity_up{instance=\"a:9100\",job=\"node\"}", values = "0 0" },
            new { series = "parity_up{instance=\"b:9100\",job=\"node\"}", values = "1 1" },
        };
        for (int i = 0; i < s_values.Length; i++)
        {
            string v = SeriesValue(s_values[i]);
            series.Add(new { series = $"parity_value{{case=\"{i}\"}}", values = v + " " + v });
        }

        string rulesFile = Write("rules.json", new { groups = new[] { new { name = "parity", rules } } });
        string testFile = Write("test.json", new
        {
            rule_files = new[] { rulesFile },
            evaluation_interval = "1m",
            tests = new[]
            {
                new
                {
                    interval = "1m",
                    external_labels = new Dictionary<string, string> { ["cluster"] = "eu1" },
                    external_url = ExternalUrl,
                    input_series = series,
                    alert_rule_test = expectations,
                },
            },
        });

        var (code, stdout, stderr) = PromtoolRunner.RunUnchecked("test", "rules", testFile);
        Assert.True(code == 0, $"promtool test rules exited {code}; differing labels and annotations (exp, got):\n{Differences(stdout + stderr)}\n\npromtool's output:\n{stdout}\n{stderr}");
    }

    [Fact]
    public void Parse_errors_are_what_promtool_check_rules_reports()
    {
        string[] bad =
        [
            "{{ nosuch }}", "{{ $foo }}", "{{ 1 }", "{{", "x\n{{ if true }}", "{{ end }}", "{{ 1 | 2 }}", "{{ \"unterminated }}",
            "a\n\n{{ (1 }}", "{{ if }}{{ end }}", "{{ break }}", "{{ 089 }}", "{{ .x := 1 }}", "{{ /* c */ x }}",
            "line 1\nline 2 {{ humanize\n  $value | nosuch }}", "{{ template x }}", "{{ 'ab' }}", "{{ range $a, $b, $c := . }}{{ end }}",
            "{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}", "{{ with }}{{ end }}", "{{ else if 1 }}", "{{ $x := }}",
        ];
        var annotations = bad.Select((t, i) => (Name: "a" + i, Text: t)).ToList();
        string rulesFile = Write("bad.json", new
        {
            groups = new[]
            {
                new
                {
                    name = "parity",
                    rules = new[] { new { alert = "Broken", expr = "up == 0", annotations = annotations.ToDictionary(a => a.Name, a => a.Text) } },
                },
            },
        });

        var (code, stdout, stderr) = PromtoolRunner.RunUnchecked("check", "rules", rulesFile);
        string output = stdout + stderr;
        Assert.True(code != 0, output);
        foreach (var (name, text) in annotations)
        {
            string? error = RuleTemplates.ParseError("__alert_Broken", text);
            Assert.NotNull(error);
            string expected = $"group \"parity\", rule 1, \"Broken\": annotation \"{name}\": {error}\n";
            Assert.True(output.Contains(expected, StringComparison.Ordinal), $"expected {expected}in:\n{output}");
        }
    }

    private static async Task AddAlertAsync(
        List<object> rules, List<object> expectations, string alert, string expr, List<KeyValuePair<string, string>> labels, double value, string[] templates)
    {
        var data = new TemplateData(labels, [new("cluster", "eu1")], ExternalUrl, value, EvalMs);

        // promtool gives the template functions no external URL (a nil *url.URL) while $externalURL has the test
        // file's; a server has one URL for both, as TemplateData does. Templates calling the URL functions are
        // expanded with none, so that they fail as in promtool.
        var noUrl = data with { ExternalUrl = string.Empty };
        var annotations = new Dictionary<string, string>();
        var expected = new Dictionary<string, string>();
        for (int i = 0; i < templates.Length; i++)
        {
            string name = "t" + i.ToString("D2", CultureInfo.InvariantCulture);
            annotations[name] = templates[i];
            bool urlFunctions = templates[i].Contains("pathPrefix", StringComparison.Ordinal) || templates[i].Contains("{{ externalURL", StringComparison.Ordinal);
            expected[name] = await ExpandAsync(alert, templates[i], urlFunctions ? noUrl : data);
        }

        var ruleLabels = new Dictionary<string, string>
        {
            ["severity"] = "{{ if gt $value 1000.0 }}critical{{ else }}warning{{ end }}",
            ["summary_value"] = "{{ $value | humanize }}",
        };
        var expLabels = labels.Where(l => l.Key != "__name__").ToDictionary(l => l.Key, l => l.Value);
        foreach (var (k, v) in ruleLabels)
        {
            expLabels[k] = await ExpandAsync(alert, v, data);
        }

        rules.Add(new { alert, expr, labels = ruleLabels, annotations });
        expectations.Add(new
        {
            eval_time = "1m",
            alertname = alert,
            exp_alerts = new[] { new { exp_labels = expLabels, exp_annotations = expected } },
        });
    }

    private static Task<string> ExpandAsync(string alert, string text, TemplateData data) =>
        RuleTemplates.ExpandAsync(alert, text, data, Query, CancellationToken.None);

    // What Prometheus' engine answers at the evaluation time for the queries of s_richTemplates, given the input series.
    // A selector's series come in no fixed order in promtool (the series are created from a map), so the templates
    // that depend on the order sort first.
    private static Task<IReadOnlyList<TemplateSample>> Query(string query, long timestampMs, CancellationToken cancellationToken)
    {
        TemplateSample Up(string instance, double v) => new(Sorted(("__name__", "parity_up"), ("instance", instance), ("job", "node")), v);
        IReadOnlyList<TemplateSample> result = query switch
        {
            "parity_up" or "sort(parity_up)" => [Up("a:9100", 0), Up("b:9100", 1)],
            "sort_desc(parity_up)" => [Up("b:9100", 1), Up("a:9100", 0)],
            "parity_up{instance='b:9100'}" => [Up("b:9100", 1)],
            "time()" => [new([], timestampMs / 1000.0)],
            "1 + 1" => [new([], 2)],
            "nosuch_metric" => [],
            _ => throw new InvalidOperationException("the test's query function does not know " + query),
        };
        return Task.FromResult(result);
    }

    // promtool prints, per failing alert, the whole expected and actual label sets; this picks out what differs.
    private static string Differences(string output)
    {
        var pair = new System.Text.RegularExpressions.Regex("([A-Za-z_][A-Za-z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
        var report = new System.Text.StringBuilder();
        foreach (string block in output.Split("alertname: ").Skip(1))
        {
            int got = block.IndexOf("got:", StringComparison.Ordinal);
            if (got < 0)
            {
                continue;
            }

            var exp = Sets(block[..got]);
            var act = Sets(block[got..]);
            for (int i = 0; i < Math.Min(exp.Count, act.Count); i++)
            {
                foreach (string key in exp[i].Keys.Union(act[i].Keys).Where(k => exp[i].GetValueOrDefault(k) != act[i].GetValueOrDefault(k)))
                {
                    report.Append(block[..block.IndexOf(',', StringComparison.Ordinal)]).Append(' ').Append(key)
                        .Append(":\n  exp ").Append(exp[i].GetValueOrDefault(key)).Append("\n  got ").Append(act[i].GetValueOrDefault(key)).Append('\n');
                }
            }
        }

        return report.ToString();

        List<Dictionary<string, string>> Sets(string text) =>
        [
            .. text.Split('\n')
                .Where(l => l.TrimStart().StartsWith("Labels:", StringComparison.Ordinal) || l.TrimStart().StartsWith("Annotations:", StringComparison.Ordinal))
                .Select(l => pair.Matches(l).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value)),
        ];
    }

    private static List<KeyValuePair<string, string>> Sorted(params (string Name, string Value)[] labels) =>
        [.. labels.OrderBy(l => l.Name, StringComparer.Ordinal).Select(l => new KeyValuePair<string, string>(l.Name, l.Value))];

    private static string SeriesValue(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    private string Write(string name, object content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, JsonSerializer.Serialize(content, s_json));
        return path;
    }
}
