namespace MetricsCluster.Ruler.Templating;

/// <summary>
/// The data one alert's label and annotation templates expand with (Prometheus' <c>AlertTemplateData</c> plus the
/// evaluation time, which the <c>query</c> function uses).
/// </summary>
/// <param name="Labels">The alert's labels (the sample's labels of the alert expression), sorted by name: <c>$labels</c>.</param>
/// <param name="ExternalLabels">The external labels: <c>$externalLabels</c>.</param>
/// <param name="ExternalUrl">
/// The external URL: <c>$externalURL</c>, and the URL of the <c>externalURL</c> and <c>pathPrefix</c> functions
/// (Prometheus takes both from <c>--web.external-url</c>). Empty means none, as in promtool, where those functions
/// fail with a nil pointer dereference.
/// </param>
/// <param name="Value">The alert expression's value: <c>$value</c>.</param>
/// <param name="TimestampMs">The evaluation time, in milliseconds since the epoch.</param>
public sealed record TemplateData(
    IReadOnlyList<KeyValuePair<string, string>> Labels,
    IReadOnlyList<KeyValuePair<string, string>> ExternalLabels,
    string ExternalUrl,
    double Value,
    long TimestampMs);
