using System.Text;

namespace MetricsCluster.Core;

/// <summary>
/// Go's float formatting, byte for byte: <c>strconv.FormatFloat</c> for the <c>e</c>, <c>E</c>, <c>f</c>, <c>g</c> and
/// <c>G</c> formats, shortest (precision -1) or with a precision, as Prometheus' messages and templates print numbers.
/// </summary>
public static class GoFormat
{
    /// <summary><c>%f</c>: six decimals.</summary>
    public static string F6(double v) => FormatFloat(v, 'f', 6);

    /// <summary>
    /// <c>%g</c> and <c>%v</c> of a float64 (<c>strconv.FormatFloat(v, 'g', -1, 64)</c>): shortest digits, in exponent
    /// form when the decimal exponent is below -4 or at least 6 (<c>1e+06</c>, <c>100000</c>, <c>1.5</c>, <c>1e-05</c>,
    /// <c>+Inf</c>, <c>NaN</c>).
    /// </summary>
    public static string G(double v) => FormatFloat(v, 'g', -1);

    /// <summary>
    /// Prometheus' <c>jsonutil.MarshalFloat</c> (vector and matrix values in the query API): shortest <c>'f'</c>, except
    /// magnitudes below 1e-6 or from 1e21 up in <c>'e'</c> (<c>1e-07</c>, <c>1e+21</c>), the cut-offs jsoniter uses.
    /// </summary>
    public static string Json(double v)
    {
        double abs = Math.Abs(v);
        return abs != 0 && double.IsFinite(abs) && (abs < 1e-6 || abs >= 1e21) ? FormatFloat(v, 'e', -1) : FormatFloat(v, 'f', -1);
    }

    /// <summary>
    /// Go's <c>strconv.FormatFloat(v, format, precision, 64)</c> for <paramref name="format"/> in <c>beEfgGxX</c>;
    /// a negative <paramref name="precision"/> asks for the shortest digits that read back as <paramref name="v"/>.
    /// Infinities are <c>+Inf</c>/<c>-Inf</c>, NaN is <c>NaN</c>, negative zero keeps its sign.
    /// </summary>
    public static string FormatFloat(double v, char format, int precision)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }

        if (format is 'x' or 'X')
        {
            return FormatHex(v, precision, format);
        }

        if (format == 'b')
        {
            return FormatBinary(v);
        }

        if (format is not ('e' or 'E' or 'f' or 'g' or 'G'))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "only b, e, E, f, g, G, x and X are supported");
        }

        bool neg = double.IsNegative(v);
        double abs = Math.Abs(v);
        bool shortest = precision < 0;
        GoDecimal d;
        if (shortest)
        {
            d = GoDecimal.Shortest(abs);
            precision = format switch
            {
                'e' or 'E' => Math.Max(d.Digits.Length - 1, 0),
                'f' => Math.Max(d.Digits.Length - d.Dp, 0),
                _ => d.Digits.Length,
            };
        }
        else
        {
            d = GoDecimal.Exact(abs);
            if (format is 'g' or 'G' && precision == 0)
            {
                precision = 1;
            }

            d = d.Round(format switch
            {
                'e' or 'E' => precision + 1,
                'f' => d.Dp + precision,
                _ => precision,
            });
        }

        var sb = new StringBuilder(24);
        FormatDigits(sb, shortest, neg, d, precision, format);
        return sb.ToString();
    }

    // Go's strconv.fmtB: decimal mantissa and binary exponent, 4503599627370496p-52.
    private static string FormatBinary(double v)
    {
        var (mant, exp) = Decompose(v);
        exp -= 52;
        return (double.IsNegative(v) ? "-" : string.Empty) + mant + "p" + (exp >= 0 ? "+" : string.Empty) + exp;
    }

    // The mantissa with its implicit bit and the unbiased exponent, as Go's genericFtoa takes them apart.
    private static (ulong Mant, int Exp) Decompose(double v)
    {
        long bits = BitConverter.DoubleToInt64Bits(v);
        int exp = (int)((bits >> 52) & 0x7FF);
        ulong mant = (ulong)bits & ((1UL << 52) - 1);
        if (exp == 0)
        {
            exp++; // Subnormal.
        }
        else
        {
            mant |= 1UL << 52;
        }

        return (mant, exp - 1023);
    }

    // Go's strconv.fmtX: hexadecimal mantissa and binary exponent, -0x1.23abcp+20.
    private static string FormatHex(double v, int prec, char fmt)
    {
        var (mant, exp) = Decompose(v);
        if (mant == 0)
        {
            exp = 0;
        }

        // Shift so that the leading 1 (if any) is at bit 60.
        mant <<= 60 - 52;
        while (mant != 0 && (mant & (1UL << 60)) == 0)
        {
            mant <<= 1;
            exp--;
        }

        if (prec is >= 0 and < 15)
        {
            int shift = prec * 4;
            ulong extra = (mant << shift) & ((1UL << 60) - 1);
            mant >>= 60 - shift;
            if ((extra | (mant & 1)) > 1UL << 59)
            {
                mant++;
            }

            mant <<= 60 - shift;
            if ((mant & (1UL << 61)) != 0)
            {
                mant >>= 1; // Wrapped around.
                exp++;
            }
        }

        string hex = fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        var sb = new StringBuilder(32);
        if (double.IsNegative(v))
        {
            sb.Append('-');
        }

        sb.Append('0').Append(fmt).Append((char)('0' + (int)((mant >> 60) & 1)));
        mant <<= 4; // Remove the leading 0 or 1.
        if (prec < 0 && mant != 0)
        {
            sb.Append('.');
            for (; mant != 0; mant <<= 4)
            {
                sb.Append(hex[(int)((mant >> 60) & 15)]);
            }
        }
        else if (prec > 0)
        {
            sb.Append('.');
            for (int i = 0; i < prec; i++, mant <<= 4)
            {
                sb.Append(hex[(int)((mant >> 60) & 15)]);
            }
        }

        sb.Append(fmt == 'X' ? 'P' : 'p').Append(exp < 0 ? '-' : '+');
        exp = Math.Abs(exp);
        sb.Append(exp < 10 ? "0" : string.Empty).Append(exp);
        return sb.ToString();
    }

    // Go's strconv.formatDigits.
    private static void FormatDigits(StringBuilder sb, bool shortest, bool neg, GoDecimal d, int prec, char fmt)
    {
        switch (fmt)
        {
            case 'e' or 'E':
                FormatE(sb, neg, d, prec, fmt);
                return;
            case 'f':
                FormatF(sb, neg, d, prec);
                return;
        }

        int nd = d.Digits.Length;
        int eprec = prec;
        if (eprec > nd && nd >= d.Dp)
        {
            eprec = nd;
        }

        // %e is used if the exponent from the conversion is less than -4 or greater than or equal to the
        // precision; for the shortest representation Go decides with precision 6.
        if (shortest)
        {
            eprec = 6;
        }

        int exp = d.Dp - 1;
        if (exp < -4 || exp >= eprec)
        {
            FormatE(sb, neg, d, Math.Min(prec, nd) - 1, fmt == 'g' ? 'e' : 'E');
            return;
        }

        FormatF(sb, neg, d, Math.Max((prec > d.Dp ? nd : prec) - d.Dp, 0));
    }

    private static void FormatE(StringBuilder sb, bool neg, GoDecimal d, int prec, char fmt)
    {
        if (neg)
        {
            sb.Append('-');
        }

        string digits = d.Digits;
        sb.Append(digits.Length == 0 ? '0' : digits[0]);
        if (prec > 0)
        {
            sb.Append('.');
            int i = 1;
            int m = Math.Min(digits.Length, prec + 1);
            if (i < m)
            {
                sb.Append(digits, i, m - i);
                i = m;
            }

            sb.Append('0', Math.Max(prec + 1 - i, 0));
        }

        sb.Append(fmt);
        int exp = digits.Length == 0 ? 0 : d.Dp - 1;
        sb.Append(exp < 0 ? '-' : '+');
        exp = Math.Abs(exp);

        // At least two exponent digits, as in C.
        if (exp < 10)
        {
            sb.Append('0');
        }

        sb.Append(exp);
    }

    private static void FormatF(StringBuilder sb, bool neg, GoDecimal d, int prec)
    {
        if (neg)
        {
            sb.Append('-');
        }

        string digits = d.Digits;
        if (d.Dp > 0)
        {
            int m = Math.Min(digits.Length, d.Dp);
            sb.Append(digits, 0, m);
            sb.Append('0', d.Dp - m);
        }
        else
        {
            sb.Append('0');
        }

        if (prec > 0)
        {
            sb.Append('.');
            for (int i = 0; i < prec; i++)
            {
                int j = d.Dp + i;
                sb.Append(j >= 0 && j < digits.Length ? digits[j] : '0');
            }
        }
    }
}
