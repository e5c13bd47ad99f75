using System.Globalization;

namespace MetricsCluster.Ruler.Api;

/// <summary>Go's <c>time.Time</c> JSON form (RFC 3339 with nanoseconds, trailing zeros dropped), as Prometheus' API writes times.</summary>
public static class GoTime
{
    /// <summary>The zero time Go writes for a rule never evaluated.</summary>
    public const string Zero = "0001-01-01T00:00:00Z";

    /// <summary>Formats a UTC instant; null is Go's zero time.</summary>
    public static string Format(DateTimeOffset? t)
    {
        if (t is not { } v)
        {
            return Zero;
        }

        var utc = v.UtcDateTime;
        string s = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        long ticks = utc.Ticks % TimeSpan.TicksPerSecond;
        if (ticks != 0)
        {
            s += "." + (ticks * 100).ToString("000000000", CultureInfo.InvariantCulture).TrimEnd('0');
        }

        return s + "Z";
    }

    /// <summary>Formats Unix milliseconds.</summary>
    public static string FormatMs(long ms) => Format(DateTimeOffset.FromUnixTimeMilliseconds(ms));
}
