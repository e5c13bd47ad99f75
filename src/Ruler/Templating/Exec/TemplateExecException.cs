namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>An execution error; the message is Go's full text (<c>template: name:1:5: executing "name" at &lt;...&gt;: ...</c>).</summary>
internal sealed class TemplateExecException(string message) : Exception(message);
