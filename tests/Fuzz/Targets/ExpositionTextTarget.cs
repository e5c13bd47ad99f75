using MetricsCluster.Agent.Parsing;
using MetricsCluster.Fuzz.Tests.Framework;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// The Prometheus text format 0.0.4 parser, and the label reader the scrape loop calls on each series; both may
/// only throw <see cref="ExpositionParseException"/> / <see cref="FormatException"/> (its base type).
/// </summary>
public sealed class ExpositionTextTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public static string Name => "exposition-text";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        try
        {
            var parser = new PromTextParser(input);
            ExpositionWalk.Walk(ref parser, openMetrics: false);
        }
        catch (FormatException)
        {
        }
    }
}

/// <summary>The same walk over either exposition parser.</summary>
internal static class ExpositionWalk
{
    /// <summary>Reads every entry and touches every accessor the scrape loop uses.</summary>
    public static void Walk<TParser>(ref TParser parser, bool openMetrics)
        where TParser : IExpositionParser, allows ref struct
    {
        var labels = new List<KeyValuePair<string, string>>();
        EntryKind kind;
        while ((kind = parser.Next()) != EntryKind.EndOfInput)
        {
            switch (kind)
            {
                case EntryKind.Series:
                    labels.Clear();
                    ExpositionText.ReadLabels(parser.Series, labels);
                    _ = ExpositionText.ToLabels(parser.Series);
                    break;
                case EntryKind.Help:
                    _ = ExpositionText.UnescapeHelp(parser.Text, openMetrics);
                    break;
                default:
                    _ = parser.MetricName.Length + parser.Text.Length;
                    break;
            }
        }
    }
}
