using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MetricsCluster.Core.Re2;

/// <summary>
/// Rewrites a Go RE2 pattern into a .NET pattern that matches the same strings. RE2 and .NET agree on most
/// syntax; where they differ this either translates or throws <see cref="ArgumentException"/> naming the construct:
/// <list type="bullet">
/// <item><c>\d \w \s</c> are ASCII in RE2 and Unicode in .NET: spelled out as ASCII classes.</item>
/// <item><c>$</c> (without <c>m</c>) is end of text in RE2 but also matches before a final newline in .NET: becomes <c>\z</c>.</item>
/// <item><c>(?P&lt;name&gt;...)</c> becomes an unnamed group; names are returned so numbering stays Go's.</item>
/// <item><c>[[:alpha:]]</c>, <c>\pL</c>, <c>\x{263a}</c>, <c>\Q...\E</c> are translated; <c>[</c> inside a class is escaped
/// (it is literal in RE2 but starts a subtraction in .NET).</item>
/// <item>Parentheses must balance within the pattern, so a pattern such as <c>1)|(2</c> cannot close the anchoring group
/// the caller wraps it in (Go parses the pattern alone first and reports "unexpected )").</item>
/// <item>Lookaround, atomic groups, backreferences, <c>\Z</c>, <c>\C</c>, the <c>U</c> flag, script classes and repeat counts
/// over 1000 are rejected: RE2 (so Prometheus) rejects or lacks them.</item>
/// </list>
/// Known remaining difference: <c>\b</c> uses .NET's Unicode word characters.
/// </summary>
public static class Re2Translator
{
    private const string Word = "0-9A-Za-z_";
    private const string Space = @"\t\n\f\r ";

    private static readonly Dictionary<string, string> s_posix = new(StringComparer.Ordinal)
    {
        ["alnum"] = "0-9A-Za-z",
        ["alpha"] = "A-Za-z",
        ["ascii"] = @"\x00-\x7F",
        ["blank"] = @"\t ",
        ["cntrl"] = @"\x00-\x1F\x7F",
        ["digit"] = "0-9",
        ["graph"] = @"!-~",
        ["lower"] = "a-z",
        ["print"] = @" -~",
        ["punct"] = @"!-/:-@\[-`{-~",
        ["space"] = @"\t\n\v\f\r ",
        ["upper"] = "A-Z",
        ["word"] = Word,
        ["xdigit"] = "0-9A-Fa-f",
    };

    private static readonly Regex s_multilineFlag = new(@"\(\?[imsU]*m", RegexOptions.CultureInvariant);

    /// <summary>Translates <paramref name="pattern"/>; <paramref name="groupNames"/> maps each named group to its Go number.</summary>
    public static string Translate(string pattern, out Dictionary<string, int> groupNames)
    {
        var state = new State(pattern, s_multilineFlag.IsMatch(pattern));
        state.Run();
        state.CheckClosed();
        groupNames = state.Names;
        return state.Output.ToString();
    }

    private sealed class State(string p, bool multiline)
    {
        private int _i;
        private int _groups;
        private int _depth;

        public Dictionary<string, int> Names { get; } = new(StringComparer.Ordinal);

        public StringBuilder Output { get; } = new(p.Length + 16);

        public void Run()
        {
            while (_i < p.Length)
            {
                char c = p[_i];
                switch (c)
                {
                    case '\\':
                        Escape(inClass: false);
                        break;
                    case '[':
                        CharClass();
                        break;
                    case '(':
                        _depth++;
                        Group();
                        break;
                    case ')':
                        if (_depth == 0)
                        {
                            Fail("unexpected )");
                        }

                        _depth--;
                        Output.Append(')');
                        _i++;
                        break;
                    case '$':
                        Output.Append(multiline ? "$" : @"\z");
                        _i++;
                        break;
                    case '{':
                        Repeat();
                        break;
                    default:
                        Output.Append(c);
                        _i++;
                        break;
                }
            }
        }

        public void CheckClosed()
        {
            if (_depth > 0)
            {
                Fail("missing closing )");
            }
        }

        private void Group()
        {
            if (At("(?P<") || (At("(?<") && !At("(?<=") && !At("(?<!")))
            {
                int nameStart = p.IndexOf('<', _i) + 1;
                int end = p.IndexOf('>', nameStart);
                if (end < 0)
                {
                    Fail("unterminated group name");
                }

                string name = p[nameStart..end];
                if (name.Length == 0 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
                {
                    Fail($"invalid group name \"{name}\"");
                }

                if (!Names.TryAdd(name, ++_groups))
                {
                    Fail($"duplicate group name \"{name}\"");
                }

                Output.Append('(');
                _i = end + 1;
                return;
            }

            if (At("(?:"))
            {
                Output.Append("(?:");
                _i += 3;
                return;
            }

            if (At("(?"))
            {
                Flags();
                return;
            }

            _groups++;
            Output.Append('(');
            _i++;
        }

        private void Flags()
        {
            int j = _i + 2;
            while (j < p.Length && p[j] is 'i' or 'm' or 's' or 'U' or '-')
            {
                if (p[j] == 'U')
                {
                    Fail("the U (ungreedy) flag is not supported");
                }

                j++;
            }

            if (j == _i + 2 || j >= p.Length || p[j] is not (')' or ':'))
            {
                Fail("lookaround, atomic groups, comments and other (?...) constructs are not supported by RE2");
            }

            // "(?i)" sets flags and closes at once; "(?i:" opens a group that a later ')' closes.
            if (p[j] == ')')
            {
                _depth--;
            }

            Output.Append(p, _i, j + 1 - _i);
            _i = j + 1;
        }

        private void Repeat()
        {
            var m = Regex.Match(p[_i..], @"\A\{(\d+)(,(\d*))?\}", RegexOptions.CultureInvariant);
            if (m.Success)
            {
                foreach (var g in new[] { m.Groups[1], m.Groups[3] })
                {
                    if (g.Success && g.Length > 0 && (g.Length > 4 || int.Parse(g.Value, CultureInfo.InvariantCulture) > 1000))
                    {
                        Fail($"invalid repeat count {m.Value} (RE2 allows at most 1000)");
                    }
                }

                Output.Append(m.Value);
                _i += m.Length;
                return;
            }

            // Not a repetition: a literal brace in both dialects, escaped so .NET cannot read it otherwise.
            Output.Append(@"\{");
            _i++;
        }

        private void CharClass()
        {
            Output.Append('[');
            _i++;
            if (_i < p.Length && p[_i] == '^')
            {
                Output.Append('^');
                _i++;
            }

            // A ']' first in the class is a literal in RE2.
            if (_i < p.Length && p[_i] == ']')
            {
                Output.Append(@"\]");
                _i++;
            }

            while (_i < p.Length && p[_i] != ']')
            {
                if (At("[:"))
                {
                    PosixClass();
                }
                else if (p[_i] == '\\')
                {
                    Escape(inClass: true);
                }
                else if (p[_i] == '[')
                {
                    Output.Append(@"\[");
                    _i++;
                }
                else
                {
                    Output.Append(p[_i++]);
                }
            }

            if (_i >= p.Length)
            {
                Fail("missing closing ]");
            }

            Output.Append(']');
            _i++;
        }

        private void PosixClass()
        {
            int end = p.IndexOf(":]", _i + 2, StringComparison.Ordinal);
            if (end < 0)
            {
                Output.Append(@"\[");
                _i++;
                return;
            }

            string name = p[(_i + 2)..end];
            if (!s_posix.TryGetValue(name, out string? range))
            {
                Fail($"unsupported POSIX class [:{name}:]");
            }

            Output.Append(range);
            _i = end + 2;
        }

        private void Escape(bool inClass)
        {
            if (_i + 1 >= p.Length)
            {
                Fail("trailing backslash");
            }

            char e = p[_i + 1];
            _i += 2;
            switch (e)
            {
                case 'd':
                    Output.Append(inClass ? "0-9" : "[0-9]");
                    return;
                case 'w':
                    Output.Append(inClass ? Word : "[" + Word + "]");
                    return;
                case 's':
                    Output.Append(inClass ? Space : "[" + Space + "]");
                    return;
                case 'D' or 'W' or 'S' when inClass:
                    Fail($"\\{e} inside a character class is not supported");
                    return;
                case 'D':
                    Output.Append("[^0-9]");
                    return;
                case 'W':
                    Output.Append("[^" + Word + "]");
                    return;
                case 'S':
                    Output.Append("[^" + Space + "]");
                    return;
                case 'z' when !inClass:
                    Output.Append(@"\z");
                    return;
                case 'A' or 'b' or 'B' when !inClass:
                    Output.Append('\\').Append(e);
                    return;
                case 'a' or 'f' or 't' or 'n' or 'r' or 'v':
                    Output.Append('\\').Append(e);
                    return;
                case 'p' or 'P':
                    UnicodeClass(e);
                    return;
                case 'x':
                    Hex();
                    return;
                case 'Q' when !inClass:
                    Quote();
                    return;
                default:
                    if (char.IsAsciiLetterOrDigit(e) || !char.IsAscii(e))
                    {
                        Fail($"escape \\{e} is not supported (RE2 has no backreferences, \\Z, \\C or octal escapes here)");
                    }

                    // Escaped ASCII punctuation is a literal in RE2; .NET rejects some (\_), so spell it as hex.
                    AppendLiteral(e);
                    return;
            }
        }

        private void UnicodeClass(char e)
        {
            string name;
            if (_i < p.Length && p[_i] == '{')
            {
                int end = p.IndexOf('}', _i);
                if (end < 0)
                {
                    Fail("missing closing } in \\p{...}");
                }

                name = p[(_i + 1)..end];
                _i = end + 1;
            }
            else if (_i < p.Length)
            {
                name = p[_i].ToString();
                _i++;
            }
            else
            {
                Fail("missing Unicode class name");
                return;
            }

            bool negate = name.StartsWith('^');
            name = negate ? name[1..] : name;
            if (name.Length is < 1 or > 2 || !char.IsAsciiLetterUpper(name[0]))
            {
                Fail($"Unicode class \\{e}{{{name}}} is not supported (only general categories such as L, Lu, N)");
            }

            char kind = negate ^ (e == 'P') ? 'P' : 'p';
            Output.Append('\\').Append(kind).Append('{').Append(name).Append('}');
        }

        private void Hex()
        {
            string digits;
            if (_i < p.Length && p[_i] == '{')
            {
                int end = p.IndexOf('}', _i);
                if (end < 0)
                {
                    Fail("missing closing } in \\x{...}");
                }

                digits = p[(_i + 1)..end];
                _i = end + 1;
            }
            else
            {
                digits = _i + 2 <= p.Length ? p.Substring(_i, 2) : string.Empty;
                _i += 2;
            }

            if (!int.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int cp) || cp > 0x10FFFF)
            {
                Fail($"invalid hex escape \\x{digits}");
            }

            foreach (char c in char.ConvertFromUtf32(cp))
            {
                AppendLiteral(c);
            }

        }

        private void Quote()
        {
            int end = p.IndexOf(@"\E", _i, StringComparison.Ordinal);
            string literal = end < 0 ? p[_i..] : p[_i..end];
            foreach (char c in literal)
            {
                AppendLiteral(c);
            }

            _i = end < 0 ? p.Length : end + 2;
        }

        // A literal character that means itself both inside and outside a character class.
        private void AppendLiteral(char c)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                Output.Append(c);
            }
            else
            {
                Output.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }

        private bool At(string s) => string.CompareOrdinal(p, _i, s, 0, s.Length) == 0;

        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        private void Fail(string why) =>
            throw new ArgumentException($"invalid regular expression \"{p}\": {why}");
    }
}
