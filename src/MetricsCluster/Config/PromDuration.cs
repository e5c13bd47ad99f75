using System.Globalization;
using System.Text;

namespace MetricsCluster.Config;

/// <summary>Prometheus durations: <c>0</c>, or units y w d h m s ms in decreasing order, e.g. <c>1h30m</c>.</summary>
public static class PromDuration
{
    private static readonly (string Unit, long Ms)[] s_units =
        [("y", 365L * 86400000), ("w", 7L * 86400000), ("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000), ("ms", 1)];

    /// <summary>Parses a duration; false on bad syntax.</summary>
    public static bool TryParse(string s, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (s == "0")
        {
            return true;
        }

        long total = 0;
        int i = 0, lastUnit = -1;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start || !long.TryParse(s.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            {
                return false;
            }

            int u = Array.FindIndex(s_units, x => s.AsSpan(i).StartsWith(x.Unit) && !(x.Unit == "m" && s.AsSpan(i).StartsWith("ms")));
            if (u < 0 || u <= lastUnit)
            {
                return false;
            }

            lastUnit = u;
            i += s_units[u].Unit.Length;
            total += n * s_units[u].Ms;
        }

        value = TimeSpan.FromMilliseconds(total);
        return s.Length > 0;
    }

    /// <summary>Formats as Prometheus does (<c>1h30m</c>, <c>0s</c>).</summary>
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
            if (ms >= size)
            {
                sb.Append(ms / size).Append(unit);
                ms %= size;
            }
        }

        return sb.ToString();
    }
}
