using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

/// <summary>
/// The UTC calendar fields of a Unix time in seconds, in the proleptic Gregorian calendar with astronomical year
/// numbering (year 0 precedes year 1), as Go's <c>time.Unix(s, 0).UTC()</c> reports them. <see cref="DateTime"/>
/// stops at years 1 and 9999 and throws outside them; the date functions must answer any time a user can write, so
/// the fields come from day arithmetic (<see cref="ModelTime.CivilFromDays"/>), exact for every <see cref="long"/>.
/// </summary>
internal readonly record struct CivilTime(long Year, int Month, int Day, int Hour, int Minute, int DayOfWeek, int DayOfYear)
{
    private static readonly int[] s_daysBeforeMonth = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

    /// <summary>
    /// The largest |seconds| a sample value may hold for the date functions: Go's <c>int64(f)</c> is defined inside
    /// the int64 range only, and beyond it Prometheus' answer is whatever the platform's conversion gives.
    /// </summary>
    public const double MaxSeconds = 9e18;

    /// <summary>Days in <see cref="Month"/> of <see cref="Year"/>.</summary>
    public int DaysInMonth => Month == 2 ? (IsLeap(Year) ? 29 : 28) : Month is 4 or 6 or 9 or 11 ? 30 : 31;

    /// <summary>The fields of <paramref name="seconds"/> since 1970-01-01T00:00:00Z.</summary>
    public static CivilTime FromUnixSeconds(long seconds)
    {
        long days = Math.DivRem(seconds, 86400, out long secondOfDay);
        if (secondOfDay < 0)
        {
            secondOfDay += 86400;
            days--;
        }

        var (year, month, day) = ModelTime.CivilFromDays(days);

        // 1970-01-01 was a Thursday (4); Sunday is 0 as in Go.
        int dayOfWeek = (int)(((days % 7) + 11) % 7);
        int dayOfYear = s_daysBeforeMonth[month - 1] + (int)day + (month > 2 && IsLeap(year) ? 1 : 0);
        return new CivilTime(year, (int)month, (int)day, (int)(secondOfDay / 3600), (int)(secondOfDay % 3600 / 60), dayOfWeek, dayOfYear);
    }

    private static bool IsLeap(long y) => y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}
