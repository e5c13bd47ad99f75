using MetricsCluster.Ruler.RuleFiles.Yaml;

namespace MetricsCluster.Ruler.RuleFiles.Parsing;

/// <summary>
/// A rule as decoded, before validation: the texts as written and where they were (Prometheus' <c>rulefmt.RuleNode</c>,
/// whose <c>record</c>, <c>alert</c> and <c>expr</c> are YAML nodes so that errors can point at them).
/// </summary>
internal sealed class RawRule
{
    public string Record { get; set; } = string.Empty;

    public YPos RecordPos { get; set; }

    public string Alert { get; set; } = string.Empty;

    public YPos AlertPos { get; set; }

    public string Expr { get; set; } = string.Empty;

    public YPos ExprPos { get; set; }

    public TimeSpan For { get; set; }

    public TimeSpan KeepFiringFor { get; set; }

    public List<KeyValuePair<string, string>> Labels { get; } = [];

    public List<KeyValuePair<string, string>> Annotations { get; } = [];

    /// <summary>The name the rule's errors carry: the alert if set, else the record.</summary>
    public string Name => Alert.Length > 0 ? Alert : Record;

    public Rule ToModel() => new(
        Record.Length > 0 ? Record : null,
        Alert.Length > 0 ? Alert : null,
        Expr,
        For,
        KeepFiringFor,
        Rule.Sorted(Labels),
        Rule.Sorted(Annotations));
}

/// <summary>A rule group as decoded, before validation, with the position of its mapping.</summary>
internal sealed class RawRuleGroup
{
    public YPos Pos { get; set; }

    public string Name { get; set; } = string.Empty;

    public TimeSpan? Interval { get; set; }

    public TimeSpan? QueryOffset { get; set; }

    public int Limit { get; set; }

    public List<RawRule> Rules { get; } = [];

    public List<string> SourceTenants { get; } = [];

    // A zero interval is Prometheus' "use the default", as an absent one is.
    public RuleGroup ToModel() => new(
        Name,
        Interval is { } i && i > TimeSpan.Zero ? i : null,
        Limit,
        QueryOffset,
        Rules.Select(r => r.ToModel()).ToArray(),
        SourceTenants.ToArray());
}
