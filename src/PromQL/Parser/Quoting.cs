using System.Globalization;
using System.Text;

namespace MetricsCluster.PromQL;

/// <summary>Go-compatible quoting and unquoting of PromQL strings (<c>strconv.Quote</c>/<c>Unquote</c>).</summary>
public static class Quoting
{
    /// <summary>Quotes <paramref name="s"/> with double quotes and Go escapes.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Quotes a single character as Go's <c>%q</c> does for a rune.</summary>
    public static string QuoteRune(char c, bool eof)
    {
        if (eof)
        {
            return "'\\x00'";
        }

        return c switch
        {
            '\'' => "'\\''",
            '\\' => "'\\\\'",
            '\n' => "'\\n'",
            '\t' => "'\\t'",
            '\r' => "'\\r'",
            _ when c < 0x20 || c == 0x7f => "'\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture) + "'",
            _ => "'" + c + "'",
        };
    }

    /// <summary>
    /// Unquotes a lexed string token ("...", '...' or `...`). Returns null and sets <paramref name="error"/> for an
    /// invalid escape sequence.
    /// </summary>
    public static string? TryUnquote(string token, out string? error)
    {
        error = null;
        char q = token[0];
        string body = token[1..^1];
        if (q == '`')
        {
            return body;
        }

        var sb = new StringBuilder(body.Length);

        // \x and octal escapes are bytes, as in Go: consecutive ones are decoded together as UTF-8, and invalid
        // sequences become U+FFFD so that label-name checks can reject them.
        var bytes = new List<byte>();
        void Flush()
        {
            if (bytes.Count > 0)
            {
                sb.Append(Encoding.UTF8.GetString(bytes.ToArray()));
                bytes.Clear();
            }
        }

        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            bool byteEscape = c == '\\' && i + 1 < body.Length && (body[i + 1] == 'x' || body[i + 1] is >= '0' and <= '7');
            if (!byteEscape)
            {
                Flush();
            }

            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            char e = body[++i];
            switch (e)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case 'x' or 'u' or 'U':
                    {
                        int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                        if (!TryHex(body, i + 1, n, out int v) || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF && e != 'x'))
                        {
                            error = "illegal character in escape sequence";
                            return null;
                        }

                        if (e == 'x')
                        {
                            bytes.Add((byte)v);
                        }
                        else
                        {
                            sb.Append(char.ConvertFromUtf32(v));
                        }

                        i += n;
                        break;
                    }

                case >= '0' and <= '7':
                    {
                        int v = 0;
                        for (int k = 0; k < 3; k++)
                        {
                            if (i + k >= body.Length || body[i + k] is < '0' or > '7')
                            {
                                error = "illegal character in escape sequence";
                                return null;
                            }

                            v = (v * 8) + (body[i + k] - '0');
                        }

                        if (v > 255)
                        {
                            error = "illegal character in escape sequence";
                            return null;
                        }

                        bytes.Add((byte)v);
                        i += 2;
                        break;
                    }

                default:
                    if (e == q)
                    {
                        sb.Append(e);
                        break;
                    }

                    error = "unknown escape sequence " + GoUnicode(e);
                    return null;
            }
        }

        Flush();
        return sb.ToString();
    }

    /// <summary>Go's <c>%#U</c>: <c>U+0071 'q'</c>.</summary>
    private static string GoUnicode(char c) =>
        "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + (c < 0x20 || c == 0x7f ? string.Empty : " '" + c + "'");

    private static bool TryHex(string s, int start, int n, out int value)
    {
        value = 0;
        if (start + n > s.Length)
        {
            return false;
        }

        for (int k = 0; k < n; k++)
        {
            char c = s[start + k];
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }

            value = (value * 16) + Convert.ToInt32(c.ToString(), 16);
        }

        return true;
    }

    /// <summary>True if <paramref name="s"/> matches <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static bool IsLegacyMetricName(string s) => IsLegacy(s, true);

    /// <summary>True if <paramref name="s"/> matches <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static bool IsLegacyLabelName(string s) => IsLegacy(s, false);

    private static bool IsLegacy(string s, bool colon)
    {
        if (s.Length == 0)
        {
            return false;
        }

        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            bool ok = Lexer.IsAlpha(c) || (colon && c == ':') || (i > 0 && Lexer.IsDigit(c));
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
