using System.Text;
using MetricsCluster.Core;
using static MetricsCluster.Agent.Parsing.ExpositionScanner;

namespace MetricsCluster.Agent.Parsing;

/// <summary>
/// Turns the raw spans a parser returns into strings and label sets. These allocate, so the scrape
/// loop calls them only on a series-cache miss (G13); the parsers themselves never do.
/// </summary>
public static class ExpositionText
{
    /// <summary>
    /// Un-escapes a label value or quoted name: <c>\\</c>, <c>\"</c> and <c>\n</c>; any other backslash
    /// sequence stays as written (Prometheus' <c>lvalReplacer</c>).
    /// </summary>
    public static string Unescape(ReadOnlySpan<byte> raw) => UnescapeCore(raw, quote: true);

    /// <summary>
    /// Un-escapes HELP text: text 0.0.4 knows only <c>\\</c> and <c>\n</c>; OpenMetrics also <c>\"</c>.
    /// </summary>
    public static string UnescapeHelp(ReadOnlySpan<byte> raw, bool openMetrics) => UnescapeCore(raw, openMetrics);

    private static string UnescapeCore(ReadOnlySpan<byte> raw, bool quote)
    {
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(raw);
        }

        var buf = new byte[raw.Length];
        int n = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            byte b = raw[i];
            if (b == '\\' && i + 1 < raw.Length)
            {
                byte e = raw[i + 1];
                if (e == '\\' || e == 'n' || (quote && e == '"'))
                {
                    buf[n++] = e == 'n' ? (byte)'\n' : e;
                    i++;
                    continue;
                }
            }

            buf[n++] = b;
        }

        return Encoding.UTF8.GetString(buf, 0, n);
    }

    /// <summary>
    /// Reads the metric name and labels of a series text already validated by a parser (either format),
    /// in written order, with <c>__name__</c> for the metric name.
    /// </summary>
    /// <param name="series">The <see cref="IExpositionParser.Series"/> span.</param>
    /// <param name="into">Receives (name, value) pairs; cleared first.</param>
    public static void ReadLabels(ReadOnlySpan<byte> series, List<KeyValuePair<string, string>> into)
    {
        into.Clear();
        int pos = ScanMetricName(series, 0);
        if (pos > 0)
        {
            into.Add(new("__name__", Encoding.UTF8.GetString(series[..pos])));
        }

        pos = SkipBlanks(series, pos);
        if (pos >= series.Length || series[pos] != '{')
        {
            return;
        }

        pos++;
        while (true)
        {
            pos = SkipBlanks(series, pos);
            if (pos >= series.Length || series[pos] == '}')
            {
                return;
            }

            string name;
            if (series[pos] == '"')
            {
                int end = QuotedEnd(series, pos);
                name = Unescape(series[(pos + 1)..(end - 1)]);
                pos = SkipBlanks(series, end);
                if (series[pos] is (byte)',' or (byte)'}')
                {
                    into.Add(new("__name__", name));
                    pos = series[pos] == ',' ? pos + 1 : pos;
                    continue;
                }
            }
            else
            {
                int start = pos;
                while (pos < series.Length && IsLabelNameChar(series[pos]))
                {
                    pos++;
                }

                name = Encoding.UTF8.GetString(series[start..pos]);
            }

            pos = SkipBlanks(series, pos) + 1;
            pos = SkipBlanks(series, pos);
            int valueEnd = QuotedEnd(series, pos);
            into.Add(new(name, Unescape(series[(pos + 1)..(valueEnd - 1)])));
            pos = SkipBlanks(series, valueEnd);
            if (pos < series.Length && series[pos] == ',')
            {
                pos++;
            }
        }
    }

    /// <summary>
    /// Builds the label set of a validated series text (tests and tools; the scrape loop merges target labels too).
    /// </summary>
    /// <exception cref="FormatException">A label name occurs twice.</exception>
    public static Labels ToLabels(ReadOnlySpan<byte> series)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        ReadLabels(series, pairs);
        var b = new LabelsBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
        {
            if (!seen.Add(name))
            {
                throw new FormatException($"label name \"{name}\" is not unique");
            }

            b.Set(name, value);
        }

        return b.Build();
    }

    /// <summary>Index after the closing quote of the quoted string starting at <paramref name="quote"/>.</summary>
    private static int QuotedEnd(ReadOnlySpan<byte> s, int quote)
    {
        int i = quote + 1;
        while (s[i] != '"')
        {
            i += s[i] == '\\' ? 2 : 1;
        }

        return i + 1;
    }
}
