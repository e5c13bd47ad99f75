using System.Numerics;
using MetricsCluster.Ruler.Templating.Go;

namespace MetricsCluster.Ruler.Templating.Parse;

/// <summary>
/// Go's <c>newNumber</c>: which Go types a numeric constant fits (int64, uint64, float64, complex128), by Go's literal
/// syntax; characters (<c>'a'</c>) are numbers too.
/// </summary>
internal static class NumberParser
{
    /// <summary>The node, or null and Go's error text.</summary>
    public static NumberNode? Parse(Tree tree, Item token, out string? error)
    {
        error = null;
        string text = token.Val;
        var n = new NumberNode(tree, token.Pos, text);
        switch (token.Type)
        {
            case ItemType.CharConstant:
                if (!GoStrconv.TryUnquoteChar(text[1..], out int rune, out string tail))
                {
                    error = "invalid syntax";
                    return null;
                }

                if (tail != "'")
                {
                    error = "malformed character constant: " + text;
                    return null;
                }

                (n.Int64, n.IsInt, n.Uint64, n.IsUint, n.Float64, n.IsFloat) = (rune, true, (ulong)rune, true, rune, true);
                return n;
            case ItemType.Complex:
                if (!TryParseComplex(text, out var c))
                {
                    error = "expected integer";
                    return null;
                }

                n.IsComplex = true;
                n.Complex128 = c;
                SimplifyComplex(n);
                return n;
        }

        if (text.Length > 0 && text[^1] == 'i' && GoStrconv.ParseFloat(text[..^1], out double im) is null)
        {
            n.IsComplex = true;
            n.Complex128 = new Complex(0, im);
            SimplifyComplex(n);
            return n;
        }

        if (GoStrconv.TryParseUint(text, out ulong u))
        {
            n.IsUint = true;
            n.Uint64 = u;
        }

        if (GoStrconv.TryParseInt(text, out long i))
        {
            n.IsInt = true;
            n.Int64 = i;
            if (i == 0)
            {
                n.IsUint = true; // In case of -0.
                n.Uint64 = u;
            }
        }

        if (n.IsInt)
        {
            n.IsFloat = true;
            n.Float64 = n.Int64;
        }
        else if (n.IsUint)
        {
            n.IsFloat = true;
            n.Float64 = n.Uint64;
        }
        else if (GoStrconv.ParseFloat(text, out double f) is null)
        {
            // A float syntax is needed for a value that is not an integer: "089" parses as float but is no int.
            if (text.IndexOfAny(['.', 'e', 'E', 'p', 'P']) < 0)
            {
                error = "integer overflow: " + GoText.Quote(text);
                return null;
            }

            n.IsFloat = true;
            n.Float64 = f;
            if (FitsInt64(f))
            {
                n.IsInt = true;
                n.Int64 = (long)f;
            }

            if (FitsUint64(f))
            {
                n.IsUint = true;
                n.Uint64 = (ulong)f;
            }
        }

        if (!n.IsInt && !n.IsUint && !n.IsFloat)
        {
            error = "illegal number syntax: " + GoText.Quote(text);
            return null;
        }

        return n;
    }

    // Go's float64(int64(f)) == f, for the values where the conversion is defined.
    private static bool FitsInt64(double f) => f >= -9.2233720368547758E18 && f < 9.2233720368547758E18 && Math.Truncate(f) == f;

    private static bool FitsUint64(double f) => f >= 0 && f < 1.8446744073709552E19 && Math.Truncate(f) == f;

    private static void SimplifyComplex(NumberNode n)
    {
        n.IsFloat = n.Complex128.Imaginary == 0;
        if (n.IsFloat)
        {
            n.Float64 = n.Complex128.Real;
            n.IsInt = FitsInt64(n.Float64);
            if (n.IsInt)
            {
                n.Int64 = (long)n.Float64;
            }

            n.IsUint = FitsUint64(n.Float64);
            if (n.IsUint)
            {
                n.Uint64 = (ulong)n.Float64;
            }
        }
    }

    // "1+2i" as fmt.Sscan reads a complex128: a real part, then a signed imaginary part ending in i.
    private static bool TryParseComplex(string text, out Complex c)
    {
        c = default;
        for (int k = text.Length - 2; k > 0; k--)
        {
            if (text[k] is '+' or '-' && text[k - 1] is not ('e' or 'E' or 'p' or 'P'))
            {
                if (GoStrconv.ParseFloat(text[..k], out double re) is null && GoStrconv.ParseFloat(text[k..^1], out double im) is null)
                {
                    c = new Complex(re, im);
                    return true;
                }

                return false;
            }
        }

        return false;
    }
}
