using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MetricsCluster.Core;

/// <summary>
/// Prometheus' duration syntax (model.ParseDuration / Duration.String): units y, w, d, h, m, s, ms in this order,
/// each at most once, integers only (<c>1h30m</c>, <c>90s</c>, <c>0</c>); a year is 365 days.
/// </summary>
public static partial class PromDuration
{
    private static readonly (string Unit, long Ms)[] s_units =
    [
        ("y", 365L * 24 * 3600 * 1000), ("w", 7L * 24 * 3600 * 1000), ("d", 24L * 3600 * 1000),
        ("h", 3600L * 1000), ("m", 60L * 1000), ("s", 1000L), ("ms", 1L),
    ];

    /// <summary>Parses <paramref name="s"/>.</summary>
    public static bool TryParse(string s, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (s == "0")
        {
            return true;
        }

        var m = Pattern().Match(s);
        if (s.Length == 0 || !m.Success)
        {
            return false;
        }

        long total = 0;
        for (int i = 0; i < s_units.Length; i++)
        {
            var g = m.Groups[i + 1];
            if (!g.Success)
            {
                continue;
            }

            if (!long.TryParse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long n)
                || n > long.MaxValue / s_units[i].Ms / 10_000 || total > long.MaxValue / 10_000 - (n * s_units[i].Ms))
            {
                return false;
            }

            total += n * s_units[i].Ms;
        }

        value = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Parses <paramref name="s"/> or throws with Prometheus' wording.</summary>
    public static TimeSpan Parse(string s) =>
        TryParse(s, out var v) ? v : throw new FormatException($"not a valid duration string: \"{s}\"");

    /// <summary>Formats as model.Duration.String does: largest units first, <c>0s</c> for zero.</summary>
    public static string Format(TimeSpan d)
    {
        long ms = (long)d.TotalMilliseconds;
        if (ms == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        foreach (var (unit, size) in s_units)
        {
            long n = ms / size;
            if (n > 0)
            {
                sb.Append(n.ToString(CultureInfo.InvariantCulture)).Append(unit);
                ms -= n * size;
            }
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"\A(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
