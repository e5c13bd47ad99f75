using System.Globalization;
using System.Text;

namespace MetricsCluster.Compactor.Planning;

/// <summary>
/// The one parser of a comma-separated duration list such as <c>--compactor.block-ranges</c> (Mimir's
/// <c>flagext.DurationList</c>). Each item is Go's <c>time.ParseDuration</c> syntax, which Mimir's defaults use
/// (<c>2h0m0s,12h0m0s,24h0m0s</c>): a sequence of decimal numbers with units <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>;
/// <c>d</c> and <c>w</c> are also taken, so Prometheus durations such as <c>1d</c> work too.
/// </summary>
public static class DurationList
{
    private static readonly (string Unit, long Ms)[] s_units =
    [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 7 * 86_400_000L),
    ];

    /// <summary>Parses <c>"2h,12h,24h"</c> into durations, in the order written.</summary>
    /// <param name="value">The flag value; an empty string is an empty list.</param>
    /// <param name="flag">The flag named in the error message, e.g. <c>compactor.block-ranges</c>.</param>
    /// <exception cref="ArgumentException">An item is not a duration; the message names the flag and the item.</exception>
    public static IReadOnlyList<TimeSpan> Parse(string value, string flag)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return [];
        }

        var result = new List<TimeSpan>();
        foreach (string item in value.Split(','))
        {
            string trimmed = item.Trim();
            if (!TryParseDuration(trimmed, out var d))
            {
                throw new ArgumentException($"{flag}: invalid duration \"{trimmed}\" in \"{value}\" (expected e.g. 2h0m0s,12h0m0s,24h0m0s)");
            }

            result.Add(d);
        }

        return result;
    }

    /// <summary>Formats as Go's <c>DurationList.String</c>: items joined by commas, each as <c>time.Duration.String</c> (<c>2h0m0s</c>, <c>25m0s</c>).</summary>
    public static string Format(IEnumerable<TimeSpan> durations) => string.Join(',', durations.Select(FormatDuration));

    /// <summary>Parses one Go duration (<c>2h</c>, <c>1h30m</c>, <c>1.5h</c>, <c>0</c>); false on bad syntax or overflow.</summary>
    public static bool TryParseDuration(string s, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (s == "0")
        {
            return true;
        }

        decimal totalMs = 0;
        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal n))
            {
                return false;
            }

            // The longest unit first, so "ms" is not read as "m" followed by garbage.
            int u = s.AsSpan(i).StartsWith("ms", StringComparison.Ordinal) ? 0 : Array.FindIndex(s_units, x => s.AsSpan(i).StartsWith(x.Unit, StringComparison.Ordinal));
            if (u < 0)
            {
                return false;
            }

            i += s_units[u].Unit.Length;
            totalMs += n * s_units[u].Ms;
            if (totalMs > (decimal)TimeSpan.MaxValue.TotalMilliseconds / 2)
            {
                return false;
            }
        }

        value = TimeSpan.FromMilliseconds((double)decimal.Round(totalMs));
        return s.Length > 0;
    }

    /// <summary>Go's <c>time.Duration.String</c> for whole milliseconds: <c>2h0m0s</c>, <c>25m0s</c>, <c>1.5s</c>, <c>250ms</c>, <c>0s</c>.</summary>
    public static string FormatDuration(TimeSpan d)
    {
        long ms = (long)d.TotalMilliseconds;
        if (ms == 0)
        {
            return "0s";
        }

        if (ms < 1000)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var sb = new StringBuilder();
        long h = ms / 3_600_000, m = ms / 60_000 % 60, sec = ms / 1000 % 60, frac = ms % 1000;
        if (h > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{h}h");
        }

        if (h > 0 || m > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{m}m");
        }

        sb.Append(sec.ToString(CultureInfo.InvariantCulture));
        if (frac > 0)
        {
            sb.Append('.').Append(frac.ToString("000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        return sb.Append('s').ToString();
    }
}
