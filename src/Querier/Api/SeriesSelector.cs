using System.Text;
using MetricsCluster.Core;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// Parses a PromQL series selector (<c>metric{label="value", ...}</c>) as the <c>match[]</c> parameter
/// takes it, with Prometheus' error texts. The full PromQL parser replaces this once it exists; this one
/// only knows selectors.
/// </summary>
public static class SeriesSelector
{
    /// <summary>Parses <paramref name="input"/>; throws <see cref="FormatException"/> with Prometheus' wording.</summary>
    public static List<Matcher> Parse(string input)
    {
        var p = new Cursor(input);
        var matchers = new List<Matcher>();
        p.SkipSpace();
        if (p.AtIdentStart(metric: true))
        {
            matchers.Add(Matcher.Eq("__name__", p.Identifier(metric: true)));
            p.SkipSpace();
        }

        if (p.Peek == '{')
        {
            p.Pos++;
            ParseMatchers(p, matchers);
        }

        p.SkipSpace();
        if (!p.AtEnd)
        {
            throw p.Error($"unexpected character '{p.Peek}'");
        }

        if (matchers.Count == 0)
        {
            throw new FormatException("1:1: parse error: unexpected end of input");
        }

        if (matchers.All(m => m.MatchesEmpty))
        {
            throw new FormatException("1:1: parse error: vector selector must contain at least one non-empty matcher");
        }

        return matchers;
    }

    private static void ParseMatchers(Cursor p, List<Matcher> matchers)
    {
        while (true)
        {
            p.SkipSpace();
            if (p.Peek == '}')
            {
                p.Pos++;
                return;
            }

            string name = p.Peek is '"' or '\'' ? p.QuotedString() : p.Identifier(metric: false);
            p.SkipSpace();
            var type = p.Operator();
            p.SkipSpace();
            string value = p.QuotedString();
            try
            {
                matchers.Add(new Matcher(type, name, value));
            }
            catch (ArgumentException e)
            {
                throw p.Error($"error parsing regexp: {e.Message}");
            }

            p.SkipSpace();
            if (p.Peek == ',')
            {
                p.Pos++;
                continue;
            }

            if (p.Peek != '}')
            {
                throw p.Error("unexpected character inside braces: '" + (p.AtEnd ? "EOF" : p.Peek.ToString()) + "'");
            }
        }
    }

    private sealed class Cursor(string s)
    {
        public int Pos { get; set; }

        public bool AtEnd => Pos >= s.Length;

        public char Peek => Pos < s.Length ? s[Pos] : '\0';

        public void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(s[Pos]))
            {
                Pos++;
            }
        }

        public bool AtIdentStart(bool metric) => !AtEnd && (char.IsAsciiLetter(Peek) || Peek == '_' || (metric && Peek == ':'));

        public string Identifier(bool metric)
        {
            int start = Pos;
            if (!AtIdentStart(metric))
            {
                throw Error($"unexpected character: '{Peek}'");
            }

            while (!AtEnd && (char.IsAsciiLetterOrDigit(Peek) || Peek == '_' || (metric && Peek == ':')))
            {
                Pos++;
            }

            return s[start..Pos];
        }

        public MatcherType Operator()
        {
            if (Peek == '=')
            {
                Pos++;
                if (Peek == '~')
                {
                    Pos++;
                    return MatcherType.Regex;
                }

                return MatcherType.Equal;
            }

            if (Peek == '!' && Pos + 1 < s.Length && (s[Pos + 1] == '=' || s[Pos + 1] == '~'))
            {
                Pos += 2;
                return s[Pos - 1] == '=' ? MatcherType.NotEqual : MatcherType.NotRegex;
            }

            throw Error("unexpected character inside braces: '" + Peek + "'");
        }

        public string QuotedString()
        {
            char q = Peek;
            if (q is not ('"' or '\'' or '`'))
            {
                throw Error("unexpected character, expected string");
            }

            Pos++;
            var sb = new StringBuilder();
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("unterminated quoted string");
                }

                char c = s[Pos++];
                if (c == q)
                {
                    return sb.ToString();
                }

                if (c == '\\' && q != '`')
                {
                    sb.Append(Escape());
                    continue;
                }

                sb.Append(c);
            }
        }

        public FormatException Error(string what) => new($"1:{Pos + 1}: parse error: {what}");

        private string Escape()
        {
            if (AtEnd)
            {
                throw Error("unterminated quoted string");
            }

            char c = s[Pos++];
            switch (c)
            {
                case 'n': return "\n";
                case 't': return "\t";
                case 'r': return "\r";
                case 'a': return "\a";
                case 'b': return "\b";
                case 'f': return "\f";
                case 'v': return "\v";
                case '\\': return "\\";
                case '"': return "\"";
                case '\'': return "'";
                case 'x': return Hex(2);
                case 'u': return Hex(4);
                case 'U': return Hex(8);
                default: throw Error($"unknown escape sequence '{c}'");
            }
        }

        private string Hex(int n)
        {
            if (Pos + n > s.Length)
            {
                throw Error("unterminated escape sequence");
            }

            int cp = Convert.ToInt32(s.Substring(Pos, n), 16);
            Pos += n;
            return char.ConvertFromUtf32(cp);
        }
    }
}
