using MetricsCluster.Ruler.Templating.Go;
using MetricsCluster.Core;
using MetricsCluster.PromQL;
using MetricsCluster.Ruler.RuleFiles.Yaml;
using MetricsCluster.Ruler.Templating;

namespace MetricsCluster.Ruler.RuleFiles.Parsing;

/// <summary>
/// Prometheus' rule checks (v2.42 <c>model/rulefmt/rulefmt.go</c>: <c>RuleGroups.Validate</c>,
/// <c>RuleNode.Validate</c>, <c>testTemplateParsing</c>), with its texts, positions and order, so that our errors
/// read exactly as <c>promtool check rules</c> prints them. Every error is collected; none stops the others.
/// </summary>
internal static class RuleValidator
{
    private const string MetricNameLabel = "__name__";

    /// <summary>A rule file's checks: each group's name (set, unique in the file), then its rules.</summary>
    public static void ValidateFile(IReadOnlyList<RawRuleGroup> groups, List<string> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            if (g.Name.Length == 0)
            {
                errors.Add($"{g.Pos}: Groupname must not be empty");
            }

            // Prometheus prints this name between plain quotes (%s), not Go-quoted.
            if (!seen.Add(g.Name))
            {
                errors.Add($"{g.Pos}: groupname: \"{g.Name}\" is repeated in the same file");
            }

            ValidateRules(g, errors);
        }
    }

    /// <summary>The checks of each rule of <paramref name="group"/>, numbered from 1 as promtool numbers them.</summary>
    public static void ValidateRules(RawRuleGroup group, List<string> errors)
    {
        for (int i = 0; i < group.Rules.Count; i++)
        {
            var rule = group.Rules[i];
            string prefix = $"group {GoText.Quote(group.Name)}, rule {i + 1}, {GoText.Quote(rule.Name)}: ";
            foreach (var (message, node, alt) in Check(rule))
            {
                string at = node is null ? string.Empty : alt is null ? $"{node}: " : $"{node}: {alt}: ";
                errors.Add(at + prefix + message);
            }
        }
    }

    private static IEnumerable<(string Message, YPos? Node, YPos? Alt)> Check(RawRule r)
    {
        if (r.Record.Length > 0 && r.Alert.Length > 0)
        {
            yield return ("only one of 'record' and 'alert' must be set", r.RecordPos, r.AlertPos);
        }

        if (r.Record.Length == 0 && r.Alert.Length == 0)
        {
            yield return ("one of 'record' or 'alert' must be set", r.RecordPos, null);
        }

        if (r.Expr.Length == 0)
        {
            yield return ("field 'expr' must be set in rule", r.ExprPos, null);
        }
        else if (ParseError(r.Expr) is { } parseError)
        {
            yield return ("could not parse expression: " + parseError, r.ExprPos, null);
        }

        if (r.Record.Length > 0)
        {
            foreach (string e in RecordingRuleErrors(r))
            {
                yield return (e, r.RecordPos, null);
            }
        }

        foreach (string e in LabelErrors(r).Concat(TemplateErrors(r)))
        {
            yield return (e, null, null);
        }
    }

    private static IEnumerable<string> RecordingRuleErrors(RawRule r)
    {
        if (r.Annotations.Count > 0)
        {
            yield return "invalid field 'annotations' in recording rule";
        }

        if (r.For != TimeSpan.Zero)
        {
            yield return "invalid field 'for' in recording rule";
        }

        if (r.KeepFiringFor != TimeSpan.Zero)
        {
            yield return "invalid field 'keep_firing_for' in recording rule";
        }

        if (!PromNames.IsValidMetricName(r.Record))
        {
            yield return "invalid recording rule name: " + r.Record;
        }
    }

    // Go iterates maps in random order; ours are sorted by name, so the errors come out in one order.
    private static IEnumerable<string> LabelErrors(RawRule r)
    {
        foreach (var (name, value) in Rule.Sorted(r.Labels))
        {
            if (!PromNames.IsValidLabelName(name) || name == MetricNameLabel)
            {
                yield return "invalid label name: " + name;
            }

            if (!PromNames.IsValidLabelValue(value))
            {
                yield return "invalid label value: " + value;
            }
        }

        foreach (var (name, _) in Rule.Sorted(r.Annotations))
        {
            if (!PromNames.IsValidLabelName(name))
            {
                yield return "invalid annotation name: " + name;
            }
        }
    }

    // Only alerting rules' labels and annotations are templates. A text without "{{" has no action, so it always
    // parses (the variable definitions Prometheus prepends parse too): skip the template engine for it.
    private static IEnumerable<string> TemplateErrors(RawRule r)
    {
        if (r.Alert.Length == 0)
        {
            yield break;
        }

        string name = "__alert_" + r.Alert;
        foreach (var (kind, pairs) in new[] { ("label", r.Labels), ("annotation", r.Annotations) })
        {
            foreach (var (key, text) in Rule.Sorted(pairs))
            {
                if (text.Contains("{{", StringComparison.Ordinal) && RuleTemplates.ParseError(name, text) is { } error)
                {
                    yield return $"{kind} {GoText.Quote(key)}: {error}";
                }
            }
        }
    }

    private static string? ParseError(string expr)
    {
        try
        {
            Parser.ParseExpr(expr);
            return null;
        }
        catch (PromQLParseException e)
        {
            return e.Message;
        }
    }
}
