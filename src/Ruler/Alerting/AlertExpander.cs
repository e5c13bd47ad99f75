using MetricsCluster.Core;

namespace MetricsCluster.Ruler.Alerting;

/// <summary>
/// Expands one label or annotation template of alert <paramref name="alertName"/> for one result sample (its labels and
/// value) at <paramref name="timestampMs"/>; returns Prometheus' <c>&lt;error expanding template: …&gt;</c> text on error.
/// The group binds it to the template engine with the tenant's query function, external labels and URL.
/// </summary>
public delegate Task<string> AlertExpander(string alertName, string text, Labels labels, double value, long timestampMs, CancellationToken cancellationToken);
