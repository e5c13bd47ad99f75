namespace MetricsCluster.Ruler.RuleFiles;

/// <summary>The outcome of parsing a rule file.</summary>
/// <param name="Groups">The groups, in file order; empty when there are errors.</param>
/// <param name="Errors">Every error, in <c>promtool check rules</c>' words (without its file-name prefix).</param>
public sealed record RuleFileParseResult(IReadOnlyList<RuleGroup> Groups, IReadOnlyList<string> Errors)
{
    /// <summary>Whether the file is valid.</summary>
    public bool IsValid => Errors.Count == 0;
}

/// <summary>The outcome of parsing one rule group.</summary>
/// <param name="Group">The group; null when there are errors.</param>
/// <param name="Errors">Every error.</param>
/// <param name="Undecodable">
/// Whether the text is not YAML or not a group's shape (Mimir answers those "unable to decode rule group"), as
/// opposed to a decoded group that breaks the rules.
/// </param>
public sealed record RuleGroupParseResult(RuleGroup? Group, IReadOnlyList<string> Errors, bool Undecodable)
{
    /// <summary>Whether the group is valid.</summary>
    public bool IsValid => Errors.Count == 0;
}
