namespace MetricsCluster.Ruler.RuleFiles;

/// <summary>A rule group with where it lives: the tenant and the namespace (Mimir's name for a rule file).</summary>
/// <param name="Tenant">The tenant that owns the group.</param>
/// <param name="Namespace">The namespace; the <c>file</c> of the Prometheus rules API.</param>
/// <param name="Group">The group.</param>
public sealed record TenantRuleGroup(string Tenant, string Namespace, RuleGroup Group);
