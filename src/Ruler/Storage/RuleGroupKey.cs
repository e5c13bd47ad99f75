namespace MetricsCluster.Ruler.Storage;

/// <summary>The name of a stored group.</summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="Group">The group name.</param>
public readonly record struct RuleGroupKey(string Namespace, string Group);
