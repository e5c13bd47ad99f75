namespace MetricsCluster.Ruler.Templating;

/// <summary>
/// Alert label and annotation templates: Go's text/template as Prometheus' rule templates use it. (Skeleton of the
/// contract between the rule-file validation and the evaluation; the engine arrives with its own commit.)
/// </summary>
public static class RuleTemplates
{
    /// <summary>
    /// Parses <paramref name="text"/> as Prometheus does when it checks a rule file, the template named
    /// <paramref name="name"/> (<c>__alert_&lt;alertname&gt;</c>); returns null when it parses, else Go's error text
    /// (for example <c>template: __alert_X:1: function "nosuch" not defined</c>).
    /// </summary>
    public static string? ParseError(string name, string text) => throw new NotImplementedException();
}
