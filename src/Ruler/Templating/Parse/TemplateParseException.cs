namespace MetricsCluster.Ruler.Templating.Parse;

/// <summary>A template that does not parse; the message is Go's (<c>template: name:1: unexpected EOF</c>).</summary>
internal sealed class TemplateParseException(string message) : Exception(message);
