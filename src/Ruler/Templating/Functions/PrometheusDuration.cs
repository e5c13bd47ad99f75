using System.Text.RegularExpressions;

namespace MetricsCluster.Ruler.Templating.Functions;

/// <summary>
/// <c>model.ParseDuration</c> of prometheus/common v0.39 (Prometheus 2.42): <c>1h30m</c>, units y w d h m s ms each at
/// most once and in that order, a bare <c>0</c>; the value in nanoseconds.
/// </summary>
internal static partial class PrometheusDuration
{
    private static readonly long[] s_unitMs = [365L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, 24L * 3600 * 1000, 3600L * 1000, 60L * 1000, 1000, 1];

    /// <summary>Null and the nanoseconds, or Go's error text.</summary>
    public static string? Parse(string s, out long nanos)
    {
        nanos = 0;
        switch (s)
        {
            case "0":
                return null;
            case "":
                return "empty duration string";
        }

        var m = DurationRegex().Match(s);
        if (!m.Success)
        {
            return "not a valid duration string: " + Go.GoText.Quote(s);
        }

        string? overflow = null;
        long dur = 0;
        for (int i = 0; i < s_unitMs.Length; i++)
        {
            var g = m.Groups[i + 1];
            if (!g.Success)
            {
                continue;
            }

            // Go's Atoi saturates on overflow (the error is ignored), and time.Duration arithmetic wraps.
            long n = long.TryParse(g.ValueSpan, out long parsed) ? parsed : long.MaxValue;
            long mult = s_unitMs[i];
            if (n > long.MaxValue / mult / 1_000_000)
            {
                overflow = "duration out of range";
            }

            dur = unchecked(dur + (n * 1_000_000 * mult));
            if (dur < 0)
            {
                overflow = "duration out of range";
            }
        }

        nanos = dur;
        return overflow;
    }

    [GeneratedRegex("^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DurationRegex();
}
