using System.Text;
using MetricsCluster.Agent.Parsing;

namespace MetricsCluster.Agent.Tests.Parsing;

/// <summary>One entry copied out of a parser, so tests can compare whole pages (Prometheus' expectedParse).</summary>
public sealed record ParsedEntry(EntryKind Kind, string M, double V = 0, long? T = null, string? Labels = null, string? Text = null, MetricType Type = MetricType.Unknown)
{
    public static List<ParsedEntry> Drain<TParser>(TParser p)
        where TParser : IExpositionParser, allows ref struct
    {
        var list = new List<ParsedEntry>();
        while (true)
        {
            var kind = p.Next();
            switch (kind)
            {
                case EntryKind.EndOfInput:
                    return list;
                case EntryKind.Series:
                    list.Add(new(kind, Encoding.UTF8.GetString(p.Series), p.Value, p.HasTimestamp ? p.TimestampMs : null, ExpositionText.ToLabels(p.Series).ToString()));
                    break;
                case EntryKind.Type:
                    list.Add(new(kind, Encoding.UTF8.GetString(p.MetricName), Type: p.Type));
                    break;
                case EntryKind.Comment:
                    list.Add(new(kind, string.Empty, Text: Encoding.UTF8.GetString(p.Text)));
                    break;
                default:
                    list.Add(new(kind, Encoding.UTF8.GetString(p.MetricName), Text: Encoding.UTF8.GetString(p.Text)));
                    break;
            }
        }
    }

    /// <summary>Drains <paramref name="page"/> and returns the exception, or null when it parsed.</summary>
    public static ExpositionParseException? ErrorOf(string page, bool openMetrics)
    {
        try
        {
            var bytes = Encoding.UTF8.GetBytes(page);
            _ = openMetrics ? Drain(new OpenMetricsParser(bytes)) : Drain(new PromTextParser(bytes));
            return null;
        }
        catch (ExpositionParseException e)
        {
            return e;
        }
    }
}
