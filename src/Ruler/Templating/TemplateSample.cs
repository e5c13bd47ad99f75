namespace MetricsCluster.Ruler.Templating;

/// <summary>An element of the instant vector the template function <c>query</c> returns: <c>.Labels</c> and <c>.Value</c>.</summary>
/// <param name="Labels">The series' labels, <c>__name__</c> included.</param>
/// <param name="Value">The sample value.</param>
public sealed record TemplateSample(IReadOnlyList<KeyValuePair<string, string>> Labels, double Value);
