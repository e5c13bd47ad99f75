using System.Globalization;
using System.Text.RegularExpressions;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// Prometheus' API <c>parseDuration</c>: a float number of seconds, else <c>model.ParseDuration</c>
/// (<c>1y2w3d4h5m6s7ms</c>, units in this order, each at most once). Results are nanoseconds, as Go's
/// <c>time.Duration</c>, so sub-millisecond steps are judged exactly as Prometheus judges them.
/// </summary>
internal static partial class PromDurationParser
{
    private static readonly long[] s_unitNs = [365L * 86_400_000_000_000, 7L * 86_400_000_000_000, 86_400_000_000_000, 3_600_000_000_000, 60_000_000_000, 1_000_000_000, 1_000_000];

    /// <summary>Parses <paramref name="s"/>; on failure <paramref name="error"/> holds Prometheus' message.</summary>
    internal static bool TryParseNs(string s, out long ns, out string? error)
    {
        ns = 0;
        error = null;
        const NumberStyles floatStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        if (double.TryParse(s, floatStyle, CultureInfo.InvariantCulture, out double secs) || IsGoSpecialFloat(s, out secs))
        {
            double d = secs * 1e9;
            if (d > long.MaxValue || d < long.MinValue)
            {
                error = $"cannot parse \"{s}\" to a valid duration. It overflows int64";
                return false;
            }

            // Go converts NaN to math.MinInt64 on amd64, which the caller then rejects as negative.
            ns = double.IsNaN(d) ? long.MinValue : (long)d;
            return true;
        }

        if (TryParseModelDuration(s, out ns))
        {
            return true;
        }

        error = $"cannot parse \"{s}\" to a valid duration";
        return false;
    }

    private static bool TryParseModelDuration(string s, out long ns)
    {
        ns = 0;
        if (s == "0")
        {
            return true;
        }

        var m = DurationRegex().Match(s);
        if (s.Length == 0 || !m.Success)
        {
            return false;
        }

        try
        {
            for (int i = 0; i < s_unitNs.Length; i++)
            {
                var g = m.Groups[i + 1];
                if (g.Success)
                {
                    ns = checked(ns + (checked(long.Parse(g.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture) * s_unitNs[i])));
                }
            }
        }
        catch (OverflowException)
        {
            return false;
        }

        return true;
    }

    private static bool IsGoSpecialFloat(string s, out double value)
    {
        // Go's ParseFloat also takes inf, +Inf, infinity and nan in any case.
        string t = s.TrimStart('+', '-').ToLowerInvariant();
        bool negative = s.StartsWith('-');
        value = t is "inf" or "infinity" ? (negative ? double.NegativeInfinity : double.PositiveInfinity) : double.NaN;
        return t is "inf" or "infinity" || (t == "nan" && s.Length == 3);
    }

    [GeneratedRegex("^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationRegex();
}
