using System.Text;

namespace MetricsCluster.Core;

/// <summary>Go's <c>net/url</c> escaping, for URLs that must match Prometheus' byte for byte.</summary>
public static class GoUrl
{
    /// <summary>
    /// Go's <c>url.QueryEscape</c>: <c>A-Za-z0-9-_.~</c> kept, space as <c>+</c>, every other UTF-8 byte as <c>%XX</c>
    /// (upper-case hex). .NET's encoders keep <c>!*()</c>, which Go escapes.
    /// </summary>
    public static string QueryEscape(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var sb = new StringBuilder(s.Length + 16);
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else if (c == ' ')
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
