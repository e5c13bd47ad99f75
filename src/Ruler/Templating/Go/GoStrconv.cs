using System.Globalization;
using System.Numerics;
using MetricsCluster.PromQL;

namespace MetricsCluster.Ruler.Templating.Go;

/// <summary>Go's <c>strconv</c> parsing, with its syntax and its error texts (<c>strconv.ParseFloat: parsing "x": invalid syntax</c>).</summary>
internal static class GoStrconv
{
    /// <summary>
    /// Go's <c>strconv.ParseFloat(s, 64)</c>: decimal and hexadecimal (<c>0x1p-2</c>) forms, underscores between digits,
    /// <c>inf</c>/<c>infinity</c>/<c>nan</c> in any case. Returns null, or the error text; out of range gives ±Inf and an error.
    /// </summary>
    public static string? ParseFloat(string s, out double value)
    {
        value = 0;
        if (Special(s, out value))
        {
            return null;
        }

        if (!Scan(s, out bool hex, out bool underscores) || (underscores && !UnderscoreOk(s)))
        {
            value = 0;
            return NumError("ParseFloat", s, "invalid syntax");
        }

        string clean = underscores ? s.Replace("_", string.Empty, StringComparison.Ordinal) : s;
        value = hex ? ParseHex(clean) : double.Parse(clean, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsInfinity(value) ? NumError("ParseFloat", s, "value out of range") : null;
    }

    /// <summary>Go's <c>strconv.ParseUint(s, 0, 64)</c>: base from the prefix (0x, 0o, 0b, or a leading 0 for octal).</summary>
    public static bool TryParseUint(string s, out ulong value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return false;
        }

        string digits = s;
        int b = 10;
        if (s[0] == '0')
        {
            char p = s.Length >= 3 ? char.ToLowerInvariant(s[1]) : '\0';
            (b, digits) = p switch
            {
                'b' => (2, s[2..]),
                'o' => (8, s[2..]),
                'x' => (16, s[2..]),
                _ => (8, s[1..]),
            };
        }

        bool underscores = false;
        BigInteger n = BigInteger.Zero;
        foreach (char c in digits)
        {
            if (c == '_')
            {
                underscores = true;
                continue;
            }

            int d = HexDigit(c);
            if (d < 0 || d >= b)
            {
                return false;
            }

            n = (n * b) + d;
        }

        if ((underscores && !UnderscoreOk(s)) || n > ulong.MaxValue)
        {
            return false;
        }

        value = (ulong)n;
        return true;
    }

    /// <summary>Go's <c>strconv.ParseInt(s, 0, 64)</c>.</summary>
    public static bool TryParseInt(string s, out long value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return false;
        }

        bool neg = s[0] == '-';
        string rest = s[0] is '-' or '+' ? s[1..] : s;
        if (!TryParseUint(rest, out ulong u))
        {
            return false;
        }

        if (neg ? u > 1UL << 63 : u >= 1UL << 63)
        {
            return false;
        }

        value = neg ? (long)(0 - u) : (long)u;
        return true;
    }

    /// <summary>Go's <c>strconv.Unquote</c> of a lexed "..." or `...` token; null when it is not valid Go syntax.</summary>
    public static string? Unquote(string token)
    {
        if (token.Length < 2 || token[^1] != token[0])
        {
            return null;
        }

        if (token[0] == '`')
        {
            // Go drops carriage returns from raw strings.
            return token[1..^1].Replace("\r", string.Empty, StringComparison.Ordinal);
        }

        return token[0] == '"' ? Quoting.TryUnquote(token, out _) : null;
    }

    /// <summary>
    /// Go's <c>strconv.UnquoteChar(s, '\'')</c> on the body of a character constant: the rune and what follows it;
    /// false on invalid syntax.
    /// </summary>
    public static bool TryUnquoteChar(string s, out int rune, out string tail)
    {
        rune = 0;
        tail = string.Empty;
        if (s.Length == 0 || s[0] == '\'')
        {
            return false;
        }

        if (s[0] != '\\')
        {
            rune = GoText.RuneAt(s, 0, out int w);
            tail = s[w..];
            return true;
        }

        if (s.Length < 2)
        {
            return false;
        }

        char e = s[1];
        int consumed = 2;
        switch (e)
        {
            case 'a': rune = '\a'; break;
            case 'b': rune = '\b'; break;
            case 'f': rune = '\f'; break;
            case 'n': rune = '\n'; break;
            case 'r': rune = '\r'; break;
            case 't': rune = '\t'; break;
            case 'v': rune = '\v'; break;
            case '\\': rune = '\\'; break;
            case '\'': rune = '\''; break;
            case 'x' or 'u' or 'U':
                {
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (s.Length < 2 + n)
                    {
                        return false;
                    }

                    int v = 0;
                    for (int k = 0; k < n; k++)
                    {
                        int d = HexDigit(s[2 + k]);
                        if (d < 0)
                        {
                            return false;
                        }

                        v = (v << 4) | d;
                    }

                    if (e != 'x' && (v > 0x10FFFF || v is >= 0xD800 and <= 0xDFFF))
                    {
                        return false;
                    }

                    rune = v;
                    consumed += n;
                    break;
                }

            case >= '0' and <= '7':
                {
                    if (s.Length < 4)
                    {
                        return false;
                    }

                    int v = 0;
                    for (int k = 1; k <= 3; k++)
                    {
                        if (s[k] is < '0' or > '7')
                        {
                            return false;
                        }

                        v = (v << 3) | (s[k] - '0');
                    }

                    if (v > 255)
                    {
                        return false;
                    }

                    rune = v;
                    consumed = 4;
                    break;
                }

            default:
                return false;
        }

        tail = s[consumed..];
        return true;
    }

    /// <summary>Go's <c>*strconv.NumError</c> text.</summary>
    public static string NumError(string func, string input, string why) =>
        "strconv." + func + ": parsing " + GoText.Quote(input) + ": " + why;

    private static bool Special(string s, out double value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return false;
        }

        int sign = 1;
        string t = s;
        if (s[0] is '+' or '-')
        {
            sign = s[0] == '-' ? -1 : 1;
            t = s[1..];
            if (t.Equals("inf", StringComparison.OrdinalIgnoreCase) || t.Equals("infinity", StringComparison.OrdinalIgnoreCase))
            {
                value = sign * double.PositiveInfinity;
                return true;
            }

            return false;
        }

        if (t.Equals("inf", StringComparison.OrdinalIgnoreCase) || t.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (t.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }

        return false;
    }

    // Go's readFloat, as a syntax check that must consume the whole string.
    private static bool Scan(string s, out bool hex, out bool underscores)
    {
        hex = false;
        underscores = false;
        int i = 0;
        if (i < s.Length && s[i] is '+' or '-')
        {
            i++;
        }

        if (i + 2 < s.Length && s[i] == '0' && char.ToLowerInvariant(s[i + 1]) == 'x')
        {
            hex = true;
            i += 2;
        }

        bool sawDot = false, sawDigits = false;
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '_')
            {
                underscores = true;
            }
            else if (c == '.' && !sawDot)
            {
                sawDot = true;
            }
            else if (char.IsAsciiDigit(c) || (hex && char.IsAsciiHexDigit(c)))
            {
                sawDigits = true;
            }
            else
            {
                break;
            }
        }

        if (!sawDigits)
        {
            return false;
        }

        char expChar = hex ? 'p' : 'e';
        if (i < s.Length && char.ToLowerInvariant(s[i]) == expChar)
        {
            i++;
            if (i < s.Length && s[i] is '+' or '-')
            {
                i++;
            }

            if (i >= s.Length || !char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            for (; i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '_'); i++)
            {
                underscores |= s[i] == '_';
            }
        }
        else if (hex)
        {
            return false; // A hexadecimal mantissa requires a 'p' exponent.
        }

        return i == s.Length;
    }

    // Go's underscoreOK: underscores only between digits (a base prefix counts as a digit).
    private static bool UnderscoreOk(string s)
    {
        char saw = '^';
        int i = 0;
        if (s.Length >= 1 && s[0] is '-' or '+')
        {
            s = s[1..];
        }

        bool hex = false;
        if (s.Length >= 2 && s[0] == '0' && char.ToLowerInvariant(s[1]) is 'b' or 'o' or 'x')
        {
            i = 2;
            saw = '0';
            hex = char.ToLowerInvariant(s[1]) == 'x';
        }

        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsAsciiDigit(c) || (hex && char.IsAsciiHexDigit(c)))
            {
                saw = '0';
                continue;
            }

            if (c == '_')
            {
                if (saw != '0')
                {
                    return false;
                }

                saw = '_';
                continue;
            }

            if (saw == '_')
            {
                return false;
            }

            saw = '!';
        }

        return saw != '_';
    }

    private static double ParseHex(string s)
    {
        bool neg = s[0] == '-';
        int i = s[0] is '+' or '-' ? 3 : 2;
        int p = s.IndexOfAny(['p', 'P']);
        BigInteger mant = BigInteger.Zero;
        int fracDigits = 0;
        bool afterDot = false;
        for (; i < p; i++)
        {
            if (s[i] == '.')
            {
                afterDot = true;
                continue;
            }

            mant = (mant << 4) | HexDigit(s[i]);
            fracDigits += afterDot ? 1 : 0;
        }

        // Exponents beyond the double range only need to stay beyond it.
        long exp = long.TryParse(s.AsSpan(p + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long e) ? e : (s[p + 1] == '-' ? -100_000 : 100_000);
        double v = Math.ScaleB((double)mant, (int)Math.Clamp(exp - (4 * fracDigits), -100_000, 100_000));
        return neg ? -v : v;
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
