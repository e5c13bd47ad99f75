using MetricsCluster.Core;
using MetricsCluster.PromQL;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// Parses the <c>match[]</c> parameter as Prometheus' ParseMetricSelector does: a plain series selector
/// (<c>metric{label="value", ...}</c>), with the PromQL parser's error texts.
/// </summary>
public static class SeriesSelector
{
    /// <summary>Parses <paramref name="input"/>; throws <see cref="FormatException"/> with Prometheus' wording.</summary>
    public static List<Matcher> Parse(string input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            // ParseMetricSelector starts at the selector rule, so Prometheus reports this, not "no expression found".
            throw new FormatException("1:1: parse error: unexpected end of input");
        }

        try
        {
            return [.. Parser.ParseMetricSelector(input).Matchers];
        }
        catch (PromQLParseException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
    }
}
