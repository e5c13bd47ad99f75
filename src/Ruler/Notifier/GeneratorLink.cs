using MetricsCluster.Core;

namespace MetricsCluster.Ruler.Notifier;

/// <summary>The generatorURL path of an alert (Prometheus' <c>strutil.TableLinkForExpression</c>).</summary>
public static class GeneratorLink
{
    /// <summary><c>/graph?g0.expr=&lt;QueryEscape(expr)&gt;&amp;g0.tab=1</c>.</summary>
    public static string ForExpression(string expr) => "/graph?g0.expr=" + GoUrl.QueryEscape(expr) + "&g0.tab=1";
}
