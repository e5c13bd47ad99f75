namespace MetricsCluster.Ruler.RuleFiles;

/// <summary>
/// One rule group of a tenant, as a Prometheus rule file (and Mimir's config API) states it: evaluated as a unit,
/// every <see cref="Interval"/>, its rules in order (a rule sees the output of the rules before it in the same run).
/// </summary>
/// <param name="Name">The group's name; unique within its namespace.</param>
/// <param name="Interval">The evaluation interval; null means the ruler's default (<c>--ruler.evaluation-interval</c>).</param>
/// <param name="Limit">Most series (recording) or alerts (alerting) one rule may produce per evaluation; 0 is no limit.</param>
/// <param name="QueryOffset">How far back of the evaluation time queries look; null means the ruler's default.</param>
/// <param name="Rules">The rules, in file order.</param>
/// <param name="SourceTenants">Mimir's federated groups: the tenants the group queries (empty: its own).</param>
public sealed record RuleGroup(
    string Name,
    TimeSpan? Interval,
    int Limit,
    TimeSpan? QueryOffset,
    IReadOnlyList<Rule> Rules,
    IReadOnlyList<string> SourceTenants)
{
    /// <summary>Value equality, the rules and source tenants included (see <see cref="Rule.Equals(Rule?)"/>).</summary>
    public bool Equals(RuleGroup? other) =>
        other is not null && Name == other.Name && Interval == other.Interval && Limit == other.Limit && QueryOffset == other.QueryOffset
            && Rules.SequenceEqual(other.Rules) && SourceTenants.SequenceEqual(other.SourceTenants, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Interval, Limit, QueryOffset, Rules.Count, SourceTenants.Count);

    /// <summary>A group with only a name and rules (tests and defaults).</summary>
    public RuleGroup(string name, IReadOnlyList<Rule> rules)
        : this(name, null, 0, null, rules, [])
    {
    }
}
