using System.Text;

namespace MetricsCluster.Ruler.Notifier;

/// <summary>The generatorURL path of an alert (Prometheus' <c>strutil.TableLinkForExpression</c>).</summary>
public static class GeneratorLink
{
    /// <summary><c>/graph?g0.expr=&lt;QueryEscape(expr)&gt;&amp;g0.tab=1</c>.</summary>
    public static string ForExpression(string expr) => "/graph?g0.expr=" + QueryEscape(expr) + "&g0.tab=1";

    /// <summary>
    /// Go's <c>url.QueryEscape</c>: space as <c>+</c>, every byte but <c>A-Za-z0-9-_.~</c> as <c>%XX</c> (upper-case hex).
    /// .NET's encoders keep <c>!*()</c>, which Go escapes.
    /// </summary>
    public static string QueryEscape(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var sb = new StringBuilder(s.Length * 2);
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                sb.Append((char)b);
            }
            else if (b == (byte)' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
