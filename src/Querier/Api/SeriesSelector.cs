using MetricsCluster.Core;
using MetricsCluster.PromQL;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// Parses the <c>match[]</c> parameter as Prometheus' ParseMetricSelector does: a plain series selector
/// (<c>metric{label="value", ...}</c>), with the PromQL parser's error texts. Like Prometheus', it accepts a selector
/// whose matchers all match the empty string; <see cref="HasNonEmptyMatcher"/> is the check the endpoints apply.
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

    /// <summary>
    /// True when some matcher does not match the empty string, the rule Prometheus' series, label names and label
    /// values endpoints apply to each <c>match[]</c> ("match[] must contain at least one non-empty matcher").
    /// </summary>
    public static bool HasNonEmptyMatcher(IReadOnlyList<Matcher> matchers) => matchers.Any(m => !m.MatchesEmpty);
}
