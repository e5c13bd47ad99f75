using System.Globalization;
using System.Numerics;

namespace MetricsCluster.Core;

/// <summary>
/// The decimal digits of a finite double as Go's <c>strconv</c> keeps them (<c>decimalSlice</c>): the value is
/// <c>0.Digits × 10^Dp</c>, with no leading or trailing zeros; zero has no digits and <c>Dp == 0</c>.
/// </summary>
internal readonly record struct GoDecimal(string Digits, int Dp)
{
    /// <summary>The shortest digits that read back as <paramref name="abs"/> (Go's Ryu shortest, .NET's "R").</summary>
    public static GoDecimal Shortest(double abs)
    {
        if (abs == 0)
        {
            return new(string.Empty, 0);
        }

        // .NET Core 3.0+ formats "R" as the shortest round-trip string, the same digits Go's Ryu picks.
        string r = abs.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E', StringComparison.Ordinal);
        int exp = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string mantissa = e < 0 ? r : r[..e];
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        return Normalise(digits, (dot < 0 ? mantissa.Length : dot) + exp);
    }

    /// <summary>
    /// All the digits of <paramref name="abs"/>: a double is <c>mant × 2^e</c>, so its decimal expansion is finite
    /// (at most 767 significant digits). Exact digits make Go's round-half-even on ties reproducible; .NET's own
    /// fixed-precision formatting rounds ties away from zero (1234.5 as <c>%.4g</c> is 1234 in Go, 1235 in .NET).
    /// </summary>
    public static GoDecimal Exact(double abs)
    {
        if (abs == 0)
        {
            return new(string.Empty, 0);
        }

        long bits = BitConverter.DoubleToInt64Bits(abs);
        int biased = (int)((bits >> 52) & 0x7FF);
        long mant = bits & ((1L << 52) - 1);
        if (biased == 0)
        {
            biased = 1; // Subnormal: no implicit leading bit.
        }
        else
        {
            mant |= 1L << 52;
        }

        int e2 = biased - 1075;
        if (e2 >= 0)
        {
            string whole = (new BigInteger(mant) << e2).ToString(CultureInfo.InvariantCulture);
            return Normalise(whole, whole.Length);
        }

        // mant / 2^k == mant × 5^k / 10^k.
        string scaled = (new BigInteger(mant) * BigInteger.Pow(5, -e2)).ToString(CultureInfo.InvariantCulture);
        return Normalise(scaled, scaled.Length + e2);
    }

    /// <summary>Go's <c>decimal.Round(nd)</c>: keeps <paramref name="nd"/> digits, rounding half to even.</summary>
    public GoDecimal Round(int nd)
    {
        if (nd < 0 || nd >= Digits.Length)
        {
            return this;
        }

        bool up = Digits[nd] == '5' && nd + 1 == Digits.Length
            ? nd > 0 && (Digits[nd - 1] - '0') % 2 == 1
            : Digits[nd] >= '5';
        if (!up)
        {
            return Normalise(Digits[..nd], Dp);
        }

        for (int i = nd - 1; i >= 0; i--)
        {
            if (Digits[i] < '9')
            {
                return new(Digits[..i] + (char)(Digits[i] + 1), Dp);
            }
        }

        // All nines: 999 rounds up to 1000, one more integer digit.
        return new("1", Dp + 1);
    }

    private static GoDecimal Normalise(string digits, int dp)
    {
        int lead = 0;
        while (lead < digits.Length && digits[lead] == '0')
        {
            lead++;
        }

        int end = digits.Length;
        while (end > lead && digits[end - 1] == '0')
        {
            end--;
        }

        // Go's decimal.trim: no digits left means the value is zero, whose point is at 0.
        return end == lead ? new(string.Empty, 0) : new(digits[lead..end], dp - lead);
    }
}
