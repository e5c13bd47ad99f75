using MetricsCluster.Ruler.Evaluation;
using MetricsCluster.Ruler.Templating;

namespace MetricsCluster.Ruler.Alerting;

/// <summary>Binds the template engine to a tenant: its query function (the rules' read path) and the ruler's external labels and URL.</summary>
public static class TemplateExpansion
{
    /// <summary>The expander of <paramref name="tenant"/>'s alerts.</summary>
    public static AlertExpander For(string tenant, RuleQuery query, RulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        var external = options.ExternalLabels.Pairs().ToArray();
        TemplateQuery templateQuery = async (expr, timestampMs, ct) =>
        {
            var result = await query.InstantAsync(tenant, expr, timestampMs, ct).ConfigureAwait(false);
            return result.Select(s => new TemplateSample(s.Labels.Pairs().ToArray(), s.Value)).ToArray();
        };
        return (alertName, text, labels, value, timestampMs, ct) => RuleTemplates.ExpandAsync(
            alertName,
            text,
            new TemplateData(labels.Pairs().ToArray(), external, options.ExternalUrl, value, timestampMs),
            templateQuery,
            ct);
    }
}
