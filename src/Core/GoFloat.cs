using System.Globalization;

namespace MetricsCluster.Core;

/// <summary>
/// Go's <c>strconv.FormatFloat(f, fmt, -1, 64)</c>: the shortest digits that round-trip, in Go's layouts. One
/// primitive for every place that must print a float64 byte for byte as Prometheus does (JSON values, alert values).
/// </summary>
public static class GoFloat
{
    /// <summary>Go's <c>'f'</c>: never an exponent (<c>0.0000001</c>, <c>1000000</c>).</summary>
    public static string FormatF(double f) => Format(f, Layout.Fixed);

    /// <summary>Go's <c>'e'</c>: always <c>d[.ddd]e±XX</c> (<c>1e+00</c>, <c>4.25e-07</c>).</summary>
    public static string FormatE(double f) => Format(f, Layout.Exponent);

    /// <summary>
    /// Prometheus' <c>jsonutil.MarshalFloat</c>: <c>'f'</c>, except magnitudes below 1e-6 or from 1e21 up in <c>'e'</c>
    /// (<c>1e-07</c>, <c>1e+21</c>), the cut-offs jsoniter and JavaScript use.
    /// </summary>
    public static string FormatJson(double f) => Format(f, Layout.Json);

    private enum Layout
    {
        Fixed,
        Exponent,
        Json,
    }

    private static string Format(double f, Layout layout)
    {
        if (double.IsNaN(f))
        {
            return "NaN";
        }

        if (double.IsInfinity(f))
        {
            return f > 0 ? "+Inf" : "-Inf";
        }

        // "R" gives the shortest digits that round-trip (as Go's precision -1), possibly with an exponent.
        string r = Math.Abs(f).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E', StringComparison.Ordinal);
        string mantissa = e < 0 ? r : r[..e];
        int exp10 = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string all = dot < 0 ? mantissa : mantissa.Remove(dot, 1);

        // The decimal point sits after intDigits of the significant digits (negative: zeros after "0.").
        string digits = all.TrimStart('0');
        int intDigits = (dot < 0 ? mantissa.Length : dot) + exp10 - (all.Length - digits.Length);
        digits = digits.TrimEnd('0');
        string sign = double.IsNegative(f) ? "-" : string.Empty;
        double abs = Math.Abs(f);
        bool exponent = layout == Layout.Exponent || (layout == Layout.Json && digits.Length > 0 && abs is (< 1e-6 or >= 1e21));
        if (digits.Length == 0)
        {
            return exponent ? sign + "0e+00" : sign + "0";
        }

        if (exponent)
        {
            // d[.ddd]e±XX with at least two exponent digits.
            int exp = intDigits - 1;
            string frac = digits.Length > 1 ? "." + digits[1..] : string.Empty;
            return sign + digits[0] + frac + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        }

        if (intDigits <= 0)
        {
            return sign + "0." + new string('0', -intDigits) + digits;
        }

        return intDigits >= digits.Length
            ? sign + digits + new string('0', intDigits - digits.Length)
            : sign + digits[..intDigits] + "." + digits[intDigits..];
    }
}
