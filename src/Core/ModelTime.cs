using System.Globalization;
using System.Text;

namespace MetricsCluster.Core;

/// <summary>
/// Formats a Prometheus timestamp (milliseconds since the Unix epoch) the way Mimir prints a
/// <c>model.Time</c> in its messages: <c>t.Time().UTC().Format(time.RFC3339Nano)</c>.
/// </summary>
/// <remarks>
/// Why not <see cref="DateTimeOffset.FromUnixTimeMilliseconds"/>: it throws for anything before
/// year 1 or after year 9999, and a sender controls the timestamp. A rejection message that throws
/// turned a 400 for one bad sample into a 500 for the whole request, retried forever. Go's time
/// covers every int64 millisecond, so this does the calendar arithmetic itself (proleptic Gregorian,
/// Howard Hinnant's days-to-civil algorithm), which is exact for every <see cref="long"/>.
/// </remarks>
public static class ModelTime
{
    private const long MsPerDay = 86_400_000;

    /// <summary>
    /// RFC 3339 with the fraction trimmed of trailing zeros, as Go's <c>RFC3339Nano</c>:
    /// <c>2024-01-02T03:04:05.12Z</c>, <c>1970-01-01T00:00:00Z</c>. Years outside 0–9999 are printed as Go
    /// prints them (<c>-0001</c>, <c>10000</c>). Never throws.
    /// </summary>
    /// <param name="ms">Milliseconds since the Unix epoch; any value.</param>
    /// <returns>The formatted time.</returns>
    public static string FormatRfc3339(long ms)
    {
        long days = Math.DivRem(ms, MsPerDay, out long msOfDay);
        if (msOfDay < 0)
        {
            // Floor division: a time before the epoch belongs to the previous day.
            days--;
            msOfDay += MsPerDay;
        }

        var (year, month, day) = CivilFromDays(days);
        var sb = new StringBuilder(32);
        AppendYear(sb, year);
        sb.Append('-').Append(Two(month)).Append('-').Append(Two(day)).Append('T');
        long seconds = msOfDay / 1000;
        sb.Append(Two(seconds / 3600)).Append(':').Append(Two(seconds / 60 % 60)).Append(':').Append(Two(seconds % 60));
        long fraction = msOfDay % 1000;
        if (fraction != 0)
        {
            sb.Append('.').Append(fraction.ToString("000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        return sb.Append('Z').ToString();
    }

    /// <summary>
    /// Days since 1970-01-01 to the proleptic Gregorian (year, month, day), year 0 preceding year 1 as in Go;
    /// exact for any <paramref name="days"/> a second or millisecond <see cref="long"/> can reach.
    /// </summary>
    /// <param name="days">Days since the Unix epoch, negative before it.</param>
    /// <returns>The civil date.</returns>
    public static (long Year, long Month, long Day) CivilFromDays(long days)
    {
        long z = days + 719_468;
        long era = (z >= 0 ? z : z - 146_096) / 146_097;
        long doe = z - (era * 146_097);
        long yoe = (doe - (doe / 1460) + (doe / 36_524) - (doe / 146_096)) / 365;
        long doy = doe - ((365 * yoe) + (yoe / 4) - (yoe / 100));
        long mp = ((5 * doy) + 2) / 153;
        long day = doy - (((153 * mp) + 2) / 5) + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        long year = yoe + (era * 400) + (month <= 2 ? 1 : 0);
        return (year, month, day);
    }

    private static void AppendYear(StringBuilder sb, long year)
    {
        // Go's appendInt(b, year, 4): a sign for negative years, then at least four digits.
        if (year < 0)
        {
            sb.Append('-');
        }

        sb.Append(Math.Abs(year).ToString("0000", CultureInfo.InvariantCulture));
    }

    private static string Two(long v) => v.ToString("00", CultureInfo.InvariantCulture);
}
