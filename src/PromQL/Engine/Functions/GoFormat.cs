using System.Globalization;

namespace MetricsCluster.PromQL.Engine;

/// <summary>Go <c>fmt</c> verbs used in Prometheus' messages.</summary>
internal static class GoFormat
{
    /// <summary><c>%f</c>: six decimals.</summary>
    public static string F6(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? (v > 0 ? "+Inf" : "-Inf") : v.ToString("F6", CultureInfo.InvariantCulture);

    /// <summary><c>%g</c>: shortest representation, exponent for large/small magnitudes.</summary>
    public static string G(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }

        string r = v.ToString("R", CultureInfo.InvariantCulture);
        int exp = v == 0 ? 0 : (int)Math.Floor(Math.Log10(Math.Abs(v)));
        if (exp < -4 || exp >= 21)
        {
            string e = v.ToString("0.################e+00", CultureInfo.InvariantCulture);
            return e;
        }

        return r.Contains('E', StringComparison.Ordinal) ? FloatMath.FormatPlain(v) : r;
    }
}
