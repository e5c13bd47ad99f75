using System.Globalization;
using System.Text;

namespace MetricsCluster.Ruler.Templating.Go;

/// <summary>
/// Go's view of strings where it differs from .NET's: strings are UTF-8 bytes (lengths and error columns count
/// bytes), compare byte-wise, and quote with <c>strconv.Quote</c>'s escapes. Inputs are .NET strings; a rune is a
/// Unicode scalar (a surrogate pair in .NET).
/// </summary>
internal static class GoText
{
    private const string LowerHex = "0123456789abcdef";

    /// <summary>Number of UTF-8 bytes of <paramref name="s"/> (Go's <c>len</c>).</summary>
    public static int ByteLength(ReadOnlySpan<char> s) => Encoding.UTF8.GetByteCount(s);

    /// <summary>Number of runes (Go's <c>utf8.RuneCountInString</c>).</summary>
    public static int RuneCount(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i += RuneWidth(s, i))
        {
            n++;
        }

        return n;
    }

    /// <summary>The rune at <paramref name="i"/> (a lone surrogate reads as U+FFFD, as invalid UTF-8 does in Go).</summary>
    public static int RuneAt(string s, int i, out int width)
    {
        char c = s[i];
        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(c, s[i + 1]);
        }

        width = 1;
        return char.IsSurrogate(c) ? 0xFFFD : c;
    }

    /// <summary>Chars taken by the rune at <paramref name="i"/>.</summary>
    public static int RuneWidth(string s, int i) =>
        char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;

    /// <summary>Go's string order (byte-wise on UTF-8, that is code point order, which UTF-16 order is not).</summary>
    public static int Compare(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            char x = a[i], y = b[i];
            if (x != y)
            {
                return Fix(x) - Fix(y);
            }
        }

        return a.Length - b.Length;

        // Surrogates (supplementary planes) sort after U+E000..U+FFFF in code point order.
        static int Fix(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
    }

    /// <summary>Go's <c>unicode.IsPrint</c>/<c>strconv.IsPrint</c>: letters, marks, numbers, punctuation, symbols and U+0020.</summary>
    public static bool IsPrint(int r)
    {
        if (r < 0x80)
        {
            return r is >= 0x20 and < 0x7F;
        }

        if (r > 0x10FFFF || r is >= 0xD800 and <= 0xDFFF)
        {
            return false;
        }

        return CharUnicodeInfo.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }

    /// <summary>Go's <c>strconv.Quote</c> (or <c>QuoteToASCII</c> when <paramref name="asciiOnly"/>).</summary>
    public static string Quote(string s, bool asciiOnly = false)
    {
        var sb = new StringBuilder(s.Length + 2);
        AppendQuoted(sb, s, '"', asciiOnly);
        return sb.ToString();
    }

    /// <summary>Appends <paramref name="s"/> quoted with <paramref name="quote"/> and Go's escapes.</summary>
    public static void AppendQuoted(StringBuilder sb, string s, char quote, bool asciiOnly)
    {
        sb.Append(quote);
        for (int i = 0; i < s.Length;)
        {
            int r = RuneAt(s, i, out int w);
            i += w;
            AppendEscapedRune(sb, r, quote, asciiOnly);
        }

        sb.Append(quote);
    }

    /// <summary>Go's <c>strconv.QuoteRune</c> (<c>%q</c> of an integer).</summary>
    public static string QuoteRune(int r, bool asciiOnly = false)
    {
        if (r > 0x10FFFF || r < 0 || r is >= 0xD800 and <= 0xDFFF)
        {
            r = 0xFFFD;
        }

        var sb = new StringBuilder(8).Append('\'');
        AppendEscapedRune(sb, r, '\'', asciiOnly);
        return sb.Append('\'').ToString();
    }

    /// <summary>Go's <c>strconv.CanBackquote</c>: a single-line string without backquotes or control characters (tab aside).</summary>
    public static bool CanBackquote(string s)
    {
        for (int i = 0; i < s.Length;)
        {
            int r = RuneAt(s, i, out int w);
            i += w;
            if (r == 0xFEFF || r == '`' || (r < ' ' && r != '\t') || r == 0x7F || (w == 1 && char.IsSurrogate(s[i - 1])))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Go's <c>%#U</c>: <c>U+0041 'A'</c>, the quoted rune only when printable.</summary>
    public static string UnicodeNotation(int r)
    {
        string hex = "U+" + r.ToString("X4", CultureInfo.InvariantCulture);
        return IsPrint(r) ? hex + " '" + char.ConvertFromUtf32(r) + "'" : hex;
    }

    private static void AppendEscapedRune(StringBuilder sb, int r, char quote, bool asciiOnly)
    {
        if (r == quote || r == '\\')
        {
            sb.Append('\\').Append((char)r);
            return;
        }

        if (asciiOnly ? r < 0x80 && IsPrint(r) : IsPrint(r))
        {
            sb.Append(char.ConvertFromUtf32(r));
            return;
        }

        switch (r)
        {
            case '\a': sb.Append("\\a"); return;
            case '\b': sb.Append("\\b"); return;
            case '\f': sb.Append("\\f"); return;
            case '\n': sb.Append("\\n"); return;
            case '\r': sb.Append("\\r"); return;
            case '\t': sb.Append("\\t"); return;
            case '\v': sb.Append("\\v"); return;
        }

        if (r < ' ' || r == 0x7F)
        {
            sb.Append("\\x").Append(LowerHex[r >> 4]).Append(LowerHex[r & 0xF]);
        }
        else if (r < 0x10000)
        {
            sb.Append("\\u").Append(r.ToString("x4", CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append("\\U").Append(r.ToString("x8", CultureInfo.InvariantCulture));
        }
    }
}
