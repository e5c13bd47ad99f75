using System.Globalization;
using System.Text;

namespace MetricsCluster.Ruler.Templating.Go;

/// <summary>
/// A Go <c>time.Time</c> in UTC, as Prometheus' <c>toTime</c> and <c>humanizeTimestamp</c> make them (always
/// <c>.UTC()</c>), formatted with Go's reference-time layouts (<c>Format "2006-01-02"</c>).
/// </summary>
internal sealed record GoTime(long UnixNanos)
{
    private static readonly string[] s_months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static readonly string[] s_days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    private static readonly Std[] s_zeroStd = [Std.ZeroMonth, Std.ZeroDay, Std.ZeroHour12, Std.ZeroMinute, Std.ZeroSecond, Std.Year];

    private enum Std
    {
        None, LongMonth, Month, NumMonth, ZeroMonth, LongWeekDay, WeekDay, Day, UnderDay, ZeroDay, UnderYearDay,
        ZeroYearDay, Hour, Hour12, ZeroHour12, Minute, ZeroMinute, Second, ZeroSecond, LongYear, Year, PM, Pm, TZ,
        Iso8601TZ, Iso8601SecondsTZ, Iso8601ShortTZ, Iso8601ColonTZ, Iso8601ColonSecondsTZ, NumTZ, NumSecondsTz,
        NumShortTZ, NumColonTZ, NumColonSecondsTZ, FracSecond0, FracSecond9,
    }

    /// <summary>Seconds since the epoch, rounded down (Go's <c>Unix()</c>).</summary>
    public long UnixSeconds => Math.DivRem(UnixNanos, 1_000_000_000, out long r) - (r < 0 ? 1 : 0);

    /// <summary>Nanoseconds within the second, 0 to 999999999.</summary>
    public int Nanosecond => (int)(UnixNanos - (UnixSeconds * 1_000_000_000));

    /// <summary>The calendar time, to the second.</summary>
    public DateTime Utc => DateTime.UnixEpoch.AddSeconds(UnixSeconds);

    /// <summary>Go's month and weekday names (<c>time.Month.String</c>, <c>time.Weekday.String</c>).</summary>
    public static string MonthName(long m) => m is >= 1 and <= 12 ? s_months[m - 1] : "%!Month(" + m + ")";

    /// <inheritdoc cref="MonthName"/>
    public static string DayName(long d) => d is >= 0 and <= 6 ? s_days[d] : "%!Weekday(" + d + ")";

    /// <summary>Go's <c>Time.String()</c>: <c>2015-06-23 13:19:44.128 +0000 UTC</c>.</summary>
    public override string ToString() => Format("2006-01-02 15:04:05.999999999 -0700 MST");

    /// <summary>Go's <c>Time.Format(layout)</c> for a UTC time.</summary>
    public string Format(string layout)
    {
        var sb = new StringBuilder(layout.Length + 10);
        var t = Utc;
        while (layout.Length > 0)
        {
            var (prefix, std, digits, sep, suffix) = NextStdChunk(layout);
            sb.Append(prefix);
            if (std == Std.None)
            {
                break;
            }

            layout = suffix;
            Append(sb, t, std, digits, sep);
        }

        return sb.ToString();
    }

    private void Append(StringBuilder sb, DateTime t, Std std, int digits, char sep)
    {
        int hr12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
        switch (std)
        {
            case Std.Year: AppendInt(sb, t.Year % 100, 2); break;
            case Std.LongYear: AppendInt(sb, t.Year, 4); break;
            case Std.Month: sb.Append(s_months[t.Month - 1], 0, 3); break;
            case Std.LongMonth: sb.Append(s_months[t.Month - 1]); break;
            case Std.NumMonth: AppendInt(sb, t.Month, 0); break;
            case Std.ZeroMonth: AppendInt(sb, t.Month, 2); break;
            case Std.WeekDay: sb.Append(s_days[(int)t.DayOfWeek], 0, 3); break;
            case Std.LongWeekDay: sb.Append(s_days[(int)t.DayOfWeek]); break;
            case Std.Day: AppendInt(sb, t.Day, 0); break;
            case Std.UnderDay: sb.Append(t.Day < 10 ? " " : string.Empty); AppendInt(sb, t.Day, 0); break;
            case Std.ZeroDay: AppendInt(sb, t.Day, 2); break;
            case Std.UnderYearDay:
                sb.Append(t.DayOfYear < 10 ? "  " : t.DayOfYear < 100 ? " " : string.Empty);
                AppendInt(sb, t.DayOfYear, 0);
                break;
            case Std.ZeroYearDay: AppendInt(sb, t.DayOfYear, 3); break;
            case Std.Hour: AppendInt(sb, t.Hour, 2); break;
            case Std.Hour12: AppendInt(sb, hr12, 0); break;
            case Std.ZeroHour12: AppendInt(sb, hr12, 2); break;
            case Std.Minute: AppendInt(sb, t.Minute, 0); break;
            case Std.ZeroMinute: AppendInt(sb, t.Minute, 2); break;
            case Std.Second: AppendInt(sb, t.Second, 0); break;
            case Std.ZeroSecond: AppendInt(sb, t.Second, 2); break;
            case Std.PM: sb.Append(t.Hour >= 12 ? "PM" : "AM"); break;
            case Std.Pm: sb.Append(t.Hour >= 12 ? "pm" : "am"); break;
            case Std.TZ: sb.Append("UTC"); break;
            case Std.Iso8601TZ or Std.Iso8601ColonTZ or Std.Iso8601SecondsTZ or Std.Iso8601ShortTZ or Std.Iso8601ColonSecondsTZ:
                sb.Append('Z'); // Offset 0 prints as Z in the ISO 8601 variants.
                break;
            case Std.NumTZ: sb.Append("+0000"); break;
            case Std.NumColonTZ: sb.Append("+00:00"); break;
            case Std.NumShortTZ: sb.Append("+00"); break;
            case Std.NumSecondsTz: sb.Append("+000000"); break;
            case Std.NumColonSecondsTZ: sb.Append("+00:00:00"); break;
            case Std.FracSecond0 or Std.FracSecond9:
                AppendNanos(sb, Nanosecond, Math.Min(digits, 9), sep, std == Std.FracSecond9);
                break;
        }
    }

    private static void AppendNanos(StringBuilder sb, int nanos, int n, char sep, bool trim)
    {
        string nine = nanos.ToString("D9", CultureInfo.InvariantCulture);
        if (trim)
        {
            while (n > 0 && nine[n - 1] == '0')
            {
                n--;
            }

            if (n == 0)
            {
                return;
            }
        }

        sb.Append(sep).Append(nine, 0, n);
    }

    private static void AppendInt(StringBuilder sb, int x, int width)
    {
        string s = Math.Abs(x).ToString(CultureInfo.InvariantCulture);
        if (x < 0)
        {
            sb.Append('-');
        }

        sb.Append('0', Math.Max(width - s.Length, 0)).Append(s);
    }

    // Go's nextStdChunk: the text before the first layout element, the element, and the rest.
    private static (string Prefix, Std Std, int Digits, char Sep, string Suffix) NextStdChunk(string l)
    {
        for (int i = 0; i < l.Length; i++)
        {
            string rest = l[i..];
            (Std Std, int Len) hit = l[i] switch
            {
                'J' when rest.StartsWith("January", StringComparison.Ordinal) => (Std.LongMonth, 7),
                'J' when rest.StartsWith("Jan", StringComparison.Ordinal) && !StartsLower(l, i + 3) => (Std.Month, 3),
                'M' when rest.StartsWith("Monday", StringComparison.Ordinal) => (Std.LongWeekDay, 6),
                'M' when rest.StartsWith("Mon", StringComparison.Ordinal) && !StartsLower(l, i + 3) => (Std.WeekDay, 3),
                'M' when rest.StartsWith("MST", StringComparison.Ordinal) => (Std.TZ, 3),
                '0' when rest.Length >= 2 && rest[1] is >= '1' and <= '6' => (s_zeroStd[rest[1] - '1'], 2),
                '0' when rest.StartsWith("002", StringComparison.Ordinal) => (Std.ZeroYearDay, 3),
                '1' when rest.StartsWith("15", StringComparison.Ordinal) => (Std.Hour, 2),
                '1' => (Std.NumMonth, 1),
                '2' when rest.StartsWith("2006", StringComparison.Ordinal) => (Std.LongYear, 4),
                '2' => (Std.Day, 1),
                '_' when rest.StartsWith("_2006", StringComparison.Ordinal) => (Std.None, -1),
                '_' when rest.StartsWith("_2", StringComparison.Ordinal) => (Std.UnderDay, 2),
                '_' when rest.StartsWith("__2", StringComparison.Ordinal) => (Std.UnderYearDay, 3),
                '3' => (Std.Hour12, 1),
                '4' => (Std.Minute, 1),
                '5' => (Std.Second, 1),
                'P' when rest.StartsWith("PM", StringComparison.Ordinal) => (Std.PM, 2),
                'p' when rest.StartsWith("pm", StringComparison.Ordinal) => (Std.Pm, 2),
                '-' when rest.StartsWith("-070000", StringComparison.Ordinal) => (Std.NumSecondsTz, 7),
                '-' when rest.StartsWith("-07:00:00", StringComparison.Ordinal) => (Std.NumColonSecondsTZ, 9),
                '-' when rest.StartsWith("-0700", StringComparison.Ordinal) => (Std.NumTZ, 5),
                '-' when rest.StartsWith("-07:00", StringComparison.Ordinal) => (Std.NumColonTZ, 6),
                '-' when rest.StartsWith("-07", StringComparison.Ordinal) => (Std.NumShortTZ, 3),
                'Z' when rest.StartsWith("Z070000", StringComparison.Ordinal) => (Std.Iso8601SecondsTZ, 7),
                'Z' when rest.StartsWith("Z07:00:00", StringComparison.Ordinal) => (Std.Iso8601ColonSecondsTZ, 9),
                'Z' when rest.StartsWith("Z0700", StringComparison.Ordinal) => (Std.Iso8601TZ, 5),
                'Z' when rest.StartsWith("Z07:00", StringComparison.Ordinal) => (Std.Iso8601ColonTZ, 6),
                'Z' when rest.StartsWith("Z07", StringComparison.Ordinal) => (Std.Iso8601ShortTZ, 3),
                _ => (Std.None, 0),
            };

            if (hit.Len == -1)
            {
                // "_2006" is a literal underscore followed by the year.
                return (l[..(i + 1)], Std.LongYear, 0, '\0', l[(i + 5)..]);
            }

            if (hit.Len > 0)
            {
                return (l[..i], hit.Std, 0, '\0', l[(i + hit.Len)..]);
            }

            if (l[i] is '.' or ',' && i + 1 < l.Length && l[i + 1] is '0' or '9')
            {
                char ch = l[i + 1];
                int j = i + 1;
                while (j < l.Length && l[j] == ch)
                {
                    j++;
                }

                // The run of digits must end here: only a fractional second is all digits.
                if (!(j < l.Length && char.IsAsciiDigit(l[j])))
                {
                    return (l[..i], ch == '0' ? Std.FracSecond0 : Std.FracSecond9, j - (i + 1), l[i], l[j..]);
                }
            }
        }

        return (l, Std.None, 0, '\0', string.Empty);
    }

    private static bool StartsLower(string s, int i) => i < s.Length && s[i] is >= 'a' and <= 'z';
}
