using MetricsCluster.Core;

namespace MetricsCluster.Ruler.Notifier;

/// <summary>An alert as sent to an Alertmanager (API v2 <c>PostableAlert</c>).</summary>
/// <param name="Tenant">The tenant (sent as <c>X-Scope-OrgID</c>, for multi-tenant Alertmanagers).</param>
/// <param name="Labels">Labels, external labels included.</param>
/// <param name="Annotations">Expanded annotations.</param>
/// <param name="StartsAtMs">When it fired (Unix ms).</param>
/// <param name="EndsAtMs">When it was resolved, or until when this notification is valid (Unix ms).</param>
/// <param name="GeneratorUrl">The link back to the expression.</param>
public sealed record NotifierAlert(
    string Tenant,
    Labels Labels,
    IReadOnlyList<KeyValuePair<string, string>> Annotations,
    long StartsAtMs,
    long EndsAtMs,
    string GeneratorUrl);
