using MetricsCluster.Ruler.Templating.Exec;
using MetricsCluster.Ruler.Templating.Go;

namespace MetricsCluster.Ruler.Templating.Functions;

/// <summary>
/// Prometheus' number formatting functions (template.go): <c>humanize</c>, <c>humanize1024</c>,
/// <c>humanizeDuration</c>, <c>humanizePercentage</c>, <c>humanizeTimestamp</c> and <c>toTime</c>, all through Go's
/// <c>%.4g</c>. Arguments are converted as <c>convertToFloat</c> does: numbers, or strings Go's ParseFloat accepts.
/// </summary>
internal static class Humanize
{
    private static readonly string[] s_big = ["k", "M", "G", "T", "P", "E", "Z", "Y"];
    private static readonly string[] s_small = ["m", "u", "n", "p", "f", "a", "z", "y"];
    private static readonly string[] s_binary = ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"];

    /// <summary>Prometheus' <c>convertToFloat</c>.</summary>
    public static double ConvertToFloat(GoValue v)
    {
        var t = v.Type;
        if (t == GoTypes.Float64)
        {
            return v.AsFloat;
        }

        if (t == GoTypes.String)
        {
            string? error = GoStrconv.ParseFloat(v.AsString, out double f);
            return error is null ? f : throw new GoFuncException(error);
        }

        if (t == GoTypes.Int || t == GoTypes.Int64)
        {
            return v.AsInt;
        }

        if (t == GoTypes.Uint || t == GoTypes.Uint64)
        {
            return v.AsUint;
        }

        throw new GoFuncException("can't convert " + (t?.Name ?? "<nil>") + " to float");
    }

    public static string Number(double v)
    {
        if (v == 0 || double.IsNaN(v) || double.IsInfinity(v))
        {
            return G4(v, string.Empty);
        }

        string prefix = string.Empty;
        if (Math.Abs(v) >= 1)
        {
            foreach (string p in s_big)
            {
                if (Math.Abs(v) < 1000)
                {
                    break;
                }

                prefix = p;
                v /= 1000;
            }

            return G4(v, prefix);
        }

        foreach (string p in s_small)
        {
            if (Math.Abs(v) >= 1)
            {
                break;
            }

            prefix = p;
            v *= 1000;
        }

        return G4(v, prefix);
    }

    public static string Binary(double v)
    {
        if (Math.Abs(v) <= 1 || double.IsNaN(v) || double.IsInfinity(v))
        {
            return G4(v, string.Empty);
        }

        string prefix = string.Empty;
        foreach (string p in s_binary)
        {
            if (Math.Abs(v) < 1024)
            {
                break;
            }

            prefix = p;
            v /= 1024;
        }

        return G4(v, prefix);
    }

    public static string Duration(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return G4(v, string.Empty);
        }

        if (v == 0)
        {
            return G4(v, "s");
        }

        if (Math.Abs(v) >= 1)
        {
            string sign = string.Empty;
            if (v < 0)
            {
                sign = "-";
                v = -v;
            }

            long duration = GoInt64(v);
            long seconds = duration % 60;
            long minutes = duration / 60 % 60;
            long hours = duration / 60 / 60 % 24;
            long days = duration / 60 / 60 / 24;

            // Days to minutes show seconds as an integer; seconds alone show 4 significant digits.
            if (days != 0)
            {
                return GoFmt.Sprintf("%s%dd %dh %dm %ds", sign, days, hours, minutes, seconds);
            }

            if (hours != 0)
            {
                return GoFmt.Sprintf("%s%dh %dm %ds", sign, hours, minutes, seconds);
            }

            if (minutes != 0)
            {
                return GoFmt.Sprintf("%s%dm %ds", sign, minutes, seconds);
            }

            return GoFmt.Sprintf("%s%.4gs", sign, v);
        }

        string prefix = string.Empty;
        foreach (string p in s_small)
        {
            if (Math.Abs(v) >= 1)
            {
                break;
            }

            prefix = p;
            v *= 1000;
        }

        return GoFmt.Sprintf("%.4g%ss", v, prefix);
    }

    public static string Percentage(double v) => GoFmt.Sprintf("%.4g%%", v * 100);

    public static string Timestamp(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return G4(v, string.Empty);
        }

        return ToTime(v).ToString();
    }

    /// <summary>Prometheus' <c>floatToTime</c>: seconds to a time, at millisecond precision (via <c>model.Time</c>).</summary>
    public static GoTime ToTime(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            throw new GoFuncException("value is NaN or Inf");
        }

        double timestamp = v * 1e9;
        if (timestamp > long.MaxValue || timestamp < long.MinValue)
        {
            throw new GoFuncException(GoFmt.Sprintf("%v cannot be represented as a nanoseconds timestamp since it overflows int64", v));
        }

        long ns = GoInt64(timestamp);
        return new GoTime(ns / 1_000_000 * 1_000_000);
    }

    /// <summary>Go's <c>int64(f)</c> on amd64: truncation, and the "integer indefinite" MinInt64 out of range.</summary>
    public static long GoInt64(double f) =>
        double.IsNaN(f) || f >= 9.2233720368547758E18 || f < -9.2233720368547758E18 ? long.MinValue : (long)f;

    private static string G4(double v, string suffix) => GoFmt.Sprintf("%.4g%s", v, suffix);
}
