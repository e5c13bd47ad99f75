namespace MetricsCluster.PromQL.Engine;

/// <summary>Numeric helpers shared by functions and aggregations, as in Prometheus' <c>promql/functions.go</c>.</summary>
internal static class FloatMath
{
    /// <summary>Kahan–Neumaier summation step (Prometheus' <c>kahanSumInc</c>).</summary>
    public static (double Sum, double C) KahanSumInc(double inc, double sum, double c)
    {
        double t = sum + inc;
        if (double.IsInfinity(t))
        {
            c = 0;
        }
        else if (Math.Abs(sum) >= Math.Abs(inc))
        {
            c += (sum - t) + inc;
        }
        else
        {
            c += (inc - t) + sum;
        }

        return (t, c);
    }

    /// <summary>Prometheus' <c>quantile</c> over values (sorted in place, NaN first as in <c>vectorByValueHeap</c>).</summary>
    public static double Quantile(double q, List<double> values)
    {
        if (values.Count == 0 || double.IsNaN(q))
        {
            return double.NaN;
        }

        if (q < 0)
        {
            return double.NegativeInfinity;
        }

        if (q > 1)
        {
            return double.PositiveInfinity;
        }

        values.Sort(CompareNaNFirst);
        double n = values.Count;
        double rank = q * (n - 1);
        double lower = Math.Max(0, Math.Floor(rank));
        double upper = Math.Min(n - 1, lower + 1);
        double weight = rank - Math.Floor(rank);
        return (values[(int)lower] * (1 - weight)) + (values[(int)upper] * weight);
    }

    /// <summary>Ascending with NaN first.</summary>
    public static int CompareNaNFirst(double a, double b)
    {
        if (double.IsNaN(a))
        {
            return double.IsNaN(b) ? 0 : -1;
        }

        return double.IsNaN(b) ? 1 : a.CompareTo(b);
    }

    /// <summary>Least-squares fit of the points, x in seconds relative to <paramref name="interceptTime"/> (Prometheus' <c>linearRegression</c>).</summary>
    public static (double Slope, double Intercept) LinearRegression(List<FPoint> samples, long interceptTime)
    {
        double n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
        double initY = samples[0].F;
        bool constY = true;
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            if (constY && i > 0 && s.F != initY)
            {
                constY = false;
            }

            n += 1.0;
            double x = (s.T - interceptTime) / 1e3;
            (sumX, cX) = KahanSumInc(x, sumX, cX);
            (sumY, cY) = KahanSumInc(s.F, sumY, cY);
            (sumXY, cXY) = KahanSumInc(x * s.F, sumXY, cXY);
            (sumX2, cX2) = KahanSumInc(x * x, sumX2, cX2);
        }

        if (constY)
        {
            return double.IsInfinity(initY) ? (double.NaN, double.NaN) : (0, initY);
        }

        sumX += cX;
        sumY += cY;
        sumXY += cXY;
        sumX2 += cX2;
        double covXY = sumXY - (sumX * sumY / n);
        double varX = sumX2 - (sumX * sumX / n);
        double slope = covXY / varX;
        double intercept = (sumY / n) - (slope * sumX / n);
        return (slope, intercept);
    }

    /// <summary>Go's <c>strconv.FormatFloat(f, 'f', -1, 64)</c>: shortest round-trip digits, never an exponent.</summary>
    public static string FormatPlain(double f)
    {
        if (double.IsNaN(f))
        {
            return "NaN";
        }

        if (double.IsInfinity(f))
        {
            return f > 0 ? "+Inf" : "-Inf";
        }

        string r = f.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        int e = r.IndexOfAny(['E', 'e']);
        if (e < 0)
        {
            return r == "0" && double.IsNegative(f) ? "-0" : r;
        }

        bool neg = r[0] == '-';
        string mantissa = r[(neg ? 1 : 0)..e];
        int exp = int.Parse(r[(e + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int pointPos = (dot < 0 ? mantissa.Length : dot) + exp;
        string plain;
        if (pointPos <= 0)
        {
            plain = "0." + new string('0', -pointPos) + digits;
        }
        else if (pointPos >= digits.Length)
        {
            plain = digits + new string('0', pointPos - digits.Length);
        }
        else
        {
            plain = digits[..pointPos] + "." + digits[pointPos..];
        }

        return neg ? "-" + plain : plain;
    }
}
