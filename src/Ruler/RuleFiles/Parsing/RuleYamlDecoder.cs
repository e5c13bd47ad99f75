using MetricsCluster.Ruler.Templating.Go;
using MetricsCluster.Core;
using MetricsCluster.Ruler.RuleFiles.Yaml;

namespace MetricsCluster.Ruler.RuleFiles.Parsing;

/// <summary>
/// Decodes a YAML tree into raw rule groups the way Prometheus' <c>rulefmt.Parse</c> (yaml.v3) decodes into its
/// structs, with yaml.v3's error texts: shape errors (a field unknown to a strict decoder, a duplicate key, a
/// value of the wrong kind) are collected as <c>line N: ...</c> entries and reported together under
/// <c>yaml: unmarshal errors:</c>; a malformed duration is reported as Prometheus reports it. Prometheus stops at
/// the first malformed duration; we keep going, so that one upload shows every mistake.
/// </summary>
internal sealed partial class RuleYamlDecoder
{
    // Go's type names, as yaml.v3's messages print them for Prometheus' structs (v2.42).
    private const string GroupsType = "rulefmt.RuleGroups";
    private const string GroupType = "rulefmt.RuleGroup";
    private const string RuleType = "rulefmt.RuleNode";

    private readonly bool _strict;
    private readonly List<string> _shapeErrors = [];
    private readonly List<string> _valueErrors = [];

    /// <param name="strict">Whether unknown fields are errors (Prometheus' rule files) or ignored (Mimir's API).</param>
    public RuleYamlDecoder(bool strict) => _strict = strict;

    /// <summary>The decoding errors, in Prometheus' wording; empty when the text has the right shape.</summary>
    public IReadOnlyList<string> Errors =>
        _shapeErrors.Count == 0 ? _valueErrors : [.. _valueErrors, "yaml: unmarshal errors:\n  " + string.Join("\n  ", _shapeErrors)];

    /// <summary>Decodes a rule file: <c>groups: [...]</c>.</summary>
    public List<RawRuleGroup> DecodeFile(YNode? root)
    {
        var groups = new List<RawRuleGroup>();
        ForEachField(root, GroupsType, (key, value) =>
        {
            if (key != "groups")
            {
                return false;
            }

            ForEachItem(value, "[]" + GroupType, item => groups.Add(DecodeGroup(item)));
            return true;
        });
        return groups;
    }

    /// <summary>Decodes one group (a rule file's list item, or a config API body).</summary>
    public RawRuleGroup DecodeGroup(YNode? node)
    {
        var g = new RawRuleGroup { Pos = node?.Pos ?? YPos.None };
        ForEachField(node, GroupType, (key, value) =>
        {
            switch (key)
            {
                case "name": g.Name = String(value); break;
                case "interval": g.Interval = Duration(value); break;
                case "query_offset": g.QueryOffset = Duration(value); break;
                case "limit": g.Limit = Int(value); break;
                case "rules": ForEachItem(value, "[]" + RuleType, item => g.Rules.Add(DecodeRule(item))); break;
                case "source_tenants": ForEachItem(value, "[]string", item => g.SourceTenants.Add(String(item))); break;
                default: return false;
            }

            return true;
        });
        return g;
    }

    private RawRule DecodeRule(YNode node)
    {
        var r = new RawRule();
        ForEachField(node, RuleType, (key, value) =>
        {
            switch (key)
            {
                case "record": (r.Record, r.RecordPos) = (NodeText(value), value.Pos); break;
                case "alert": (r.Alert, r.AlertPos) = (NodeText(value), value.Pos); break;
                case "expr": (r.Expr, r.ExprPos) = (NodeText(value), value.Pos); break;
                case "for": r.For = Duration(value) ?? TimeSpan.Zero; break;
                case "keep_firing_for": r.KeepFiringFor = Duration(value) ?? TimeSpan.Zero; break;
                case "labels": StringMap(value, r.Labels); break;
                case "annotations": StringMap(value, r.Annotations); break;
                default: return false;
            }

            return true;
        });
        return r;
    }

    // Prometheus (v2.42) keeps record, alert and expr as YAML nodes: any node is accepted, and its text is the
    // scalar as written (so "record: ~" names a rule "~"); a collection has no text.
    private static string NodeText(YNode node) => node is YScalar s ? s.Value : string.Empty;

    private string String(YNode node)
    {
        switch (node)
        {
            case YScalar s:
                return s.IsNull ? string.Empty : s.Value;
            default:
                TypeError(node, "string");
                return string.Empty;
        }
    }

    private int Int(YNode node)
    {
        if (node is YScalar { IsNull: true })
        {
            return 0;
        }

        if (node is YScalar s && s.Tag == ScalarTags.Int && ScalarTags.TryParseInt(s.Value, out long v) && v is >= int.MinValue and <= int.MaxValue)
        {
            return (int)v;
        }

        TypeError(node, "int");
        return 0;
    }

    // model.Duration: decoded as a string, then parsed; YAML's null leaves the field unset.
    private TimeSpan? Duration(YNode node)
    {
        if (node is YScalar { IsNull: true })
        {
            return null;
        }

        string text = String(node);
        if (node is not YScalar)
        {
            return null;
        }

        if (PromDuration.TryParse(text, out var d))
        {
            return d;
        }

        _valueErrors.Add($"not a valid duration string: {GoText.Quote(text)}");
        return null;
    }

    private void StringMap(YNode node, List<KeyValuePair<string, string>> into) =>
        ForEachPair(node, "map[string]string", (key, value) => into.Add(new(key is YScalar k ? k.Value : string.Empty, String(value))));
}
