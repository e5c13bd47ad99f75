using System.Text;
using MetricsCluster.Ruler.Templating.Go;

namespace MetricsCluster.Ruler.Templating.Parse;

/// <summary>
/// Go's text/template lexer (lex.go), state for state: the same items, positions and line numbers, because parse
/// errors report the line of the last item read. Go runs it in a goroutine feeding a channel; here the parser pulls
/// and the lexer runs states until an item is ready. Positions are char indices; errors convert them to bytes.
/// </summary>
internal sealed class Lexer
{
    private const string LeftDelim = "{{";
    private const string RightDelim = "}}";
    private const string LeftComment = "/*";
    private const string RightComment = "*/";
    private const int TrimMarkerLen = 2;

    private static readonly Dictionary<string, ItemType> s_keywords = new(StringComparer.Ordinal)
    {
        ["."] = ItemType.Dot,
        ["block"] = ItemType.Block,
        ["break"] = ItemType.Break,
        ["continue"] = ItemType.Continue,
        ["define"] = ItemType.Define,
        ["else"] = ItemType.Else,
        ["end"] = ItemType.End,
        ["if"] = ItemType.If,
        ["range"] = ItemType.Range,
        ["nil"] = ItemType.Nil,
        ["template"] = ItemType.Template,
        ["with"] = ItemType.With,
    };

    private readonly string _input;
    private readonly Queue<Item> _items = new();
    private StateFn? _state;
    private int _pos;
    private int _start;
    private bool _atEof;
    private int _parenDepth;
    private int _line = 1;
    private int _startLine = 1;

    public Lexer(string input)
    {
        _input = input;
        _state = LexText;
    }

    private delegate StateFn? StateFn();

    /// <summary>The next item; after the end (or an error) the zero item, as from Go's closed channel.</summary>
    public Item NextItem()
    {
        while (_items.Count == 0 && _state is not null)
        {
            _state = _state();
        }

        return _items.Count > 0 ? _items.Dequeue() : default;
    }

    private const int Eof = -1;

    private int Next()
    {
        if (_pos >= _input.Length)
        {
            _atEof = true;
            return Eof;
        }

        int r = GoText.RuneAt(_input, _pos, out int w);
        _pos += w;
        if (r == '\n')
        {
            _line++;
        }

        return r;
    }

    private int Peek()
    {
        int r = Next();
        Backup();
        return r;
    }

    private void Backup()
    {
        if (!_atEof && _pos > 0)
        {
            int w = _pos >= 2 && char.IsLowSurrogate(_input[_pos - 1]) && char.IsHighSurrogate(_input[_pos - 2]) ? 2 : 1;
            _pos -= w;
            if (_input[_pos] == '\n')
            {
                _line--;
            }
        }
    }

    private void Emit(ItemType t)
    {
        _items.Enqueue(new Item(t, _start, _input[_start.._pos], _startLine));
        _start = _pos;
        _startLine = _line;
    }

    private void Ignore()
    {
        _line += CountNewlines(_start, _pos);
        _start = _pos;
        _startLine = _line;
    }

    private bool Accept(string valid)
    {
        int r = Next();
        if (r is >= 0 and < 0x10000 && valid.Contains((char)r, StringComparison.Ordinal))
        {
            return true;
        }

        Backup();
        return false;
    }

    private void AcceptRun(string valid)
    {
        while (Accept(valid))
        {
        }
    }

    private StateFn? Errorf(string format, params object[] args)
    {
        _items.Enqueue(new Item(ItemType.Error, _start, GoFmt.Sprintf(format, args), _startLine));
        return null;
    }

    private int CountNewlines(int from, int to)
    {
        int n = 0;
        for (int i = from; i < to; i++)
        {
            n += _input[i] == '\n' ? 1 : 0;
        }

        return n;
    }

    private static bool IsSpace(int r) => r is ' ' or '\t' or '\r' or '\n';

    private static bool IsAlphaNumeric(int r) =>
        r == '_' || (r >= 0 && Rune.IsValid(r) && (Rune.IsLetter(new Rune(r)) || Rune.IsDigit(new Rune(r))));

    private bool HasLeftTrimMarker(int at) => at + 1 < _input.Length && _input[at] == '-' && IsSpace(_input[at + 1]);

    private bool HasRightTrimMarker(int at) => at + 1 < _input.Length && IsSpace(_input[at]) && _input[at + 1] == '-';

    private bool StartsWithAt(int at, string s) => at <= _input.Length && _input.AsSpan(at).StartsWith(s, StringComparison.Ordinal);

    // lexText scans until an opening action delimiter.
    private StateFn? LexText()
    {
        int x = _input.IndexOf(LeftDelim, _pos, StringComparison.Ordinal);
        if (x >= 0)
        {
            _pos = x;
            int trimLength = 0;
            if (HasLeftTrimMarker(_pos + LeftDelim.Length))
            {
                int end = _pos;
                while (end > _start && IsSpace(_input[end - 1]))
                {
                    end--;
                }

                trimLength = _pos - end;
            }

            _pos -= trimLength;
            if (_pos > _start)
            {
                _line += CountNewlines(_start, _pos);
                Emit(ItemType.Text);
            }

            _pos += trimLength;
            Ignore();
            return LexLeftDelim;
        }

        _pos = _input.Length;
        if (_pos > _start)
        {
            _line += CountNewlines(_start, _pos);
            Emit(ItemType.Text);
        }

        Emit(ItemType.Eof);
        return null;
    }

    private (bool Delim, bool TrimSpaces) AtRightDelim()
    {
        if (HasRightTrimMarker(_pos) && StartsWithAt(_pos + TrimMarkerLen, RightDelim))
        {
            return (true, true);
        }

        return (StartsWithAt(_pos, RightDelim), false);
    }

    private int LeftTrimLength(int at)
    {
        int i = at;
        while (i < _input.Length && IsSpace(_input[i]))
        {
            i++;
        }

        return i - at;
    }

    private StateFn? LexLeftDelim()
    {
        _pos += LeftDelim.Length;
        bool trimSpace = HasLeftTrimMarker(_pos);
        int afterMarker = trimSpace ? TrimMarkerLen : 0;
        if (StartsWithAt(_pos + afterMarker, LeftComment))
        {
            _pos += afterMarker;
            Ignore();
            return LexComment;
        }

        Emit(ItemType.LeftDelim);
        _pos += afterMarker;
        Ignore();
        _parenDepth = 0;
        return LexInsideAction;
    }

    private StateFn? LexComment()
    {
        _pos += LeftComment.Length;
        int i = _input.IndexOf(RightComment, _pos, StringComparison.Ordinal);
        if (i < 0)
        {
            return Errorf("unclosed comment");
        }

        _pos = i + RightComment.Length;
        var (delim, trimSpace) = AtRightDelim();
        if (!delim)
        {
            return Errorf("comment ends before closing delimiter");
        }

        if (trimSpace)
        {
            _pos += TrimMarkerLen;
        }

        _pos += RightDelim.Length;
        if (trimSpace)
        {
            _pos += LeftTrimLength(_pos);
        }

        Ignore();
        return LexText;
    }

    private StateFn? LexRightDelim()
    {
        bool trimSpace = HasRightTrimMarker(_pos);
        if (trimSpace)
        {
            _pos += TrimMarkerLen;
            Ignore();
        }

        _pos += RightDelim.Length;
        Emit(ItemType.RightDelim);
        if (trimSpace)
        {
            _pos += LeftTrimLength(_pos);
            Ignore();
        }

        return LexText;
    }

    private StateFn? LexInsideAction()
    {
        var (delim, _) = AtRightDelim();
        if (delim)
        {
            return _parenDepth == 0 ? LexRightDelim : Errorf("unclosed left paren");
        }

        int r = Next();
        switch (r)
        {
            case Eof:
                return Errorf("unclosed action");
            case ' ' or '\t' or '\r' or '\n':
                Backup(); // Put the space back in case we have " -}}".
                return LexSpace;
            case '=':
                Emit(ItemType.Assign);
                break;
            case ':':
                if (Next() != '=')
                {
                    return Errorf("expected :=");
                }

                Emit(ItemType.Declare);
                break;
            case '|':
                Emit(ItemType.Pipe);
                break;
            case '"':
                return LexQuote;
            case '`':
                return LexRawQuote;
            case '$':
                return LexVariable;
            case '\'':
                return LexChar;
            case '.' when _pos < _input.Length && _input[_pos] is < '0' or > '9':
                return LexField;
            case '.' or '+' or '-' or (>= '0' and <= '9'):
                Backup();
                return LexNumber;
            case '(':
                Emit(ItemType.LeftParen);
                _parenDepth++;
                break;
            case ')':
                Emit(ItemType.RightParen);
                _parenDepth--;
                if (_parenDepth < 0)
                {
                    return Errorf("unexpected right paren %s", GoText.UnicodeNotation(r));
                }

                break;
            default:
                if (IsAlphaNumeric(r))
                {
                    Backup();
                    return LexIdentifier;
                }

                if (r <= 0x7F && GoText.IsPrint(r))
                {
                    Emit(ItemType.Char);
                    break;
                }

                return Errorf("unrecognized character in action: %s", GoText.UnicodeNotation(r));
        }

        return LexInsideAction;
    }

    private StateFn? LexSpace()
    {
        int numSpaces = 0;
        while (IsSpace(Peek()))
        {
            Next();
            numSpaces++;
        }

        // A trim-marked closing delimiter starts with a space: leave it to lexRightDelim.
        if (HasRightTrimMarker(_pos - 1) && StartsWithAt(_pos - 1 + TrimMarkerLen, RightDelim))
        {
            Backup();
            if (numSpaces == 1)
            {
                return LexRightDelim;
            }
        }

        Emit(ItemType.Space);
        return LexInsideAction;
    }

    private StateFn? LexIdentifier()
    {
        int r;
        while (IsAlphaNumeric(r = Next()))
        {
        }

        Backup();
        string word = _input[_start.._pos];
        if (!AtTerminator())
        {
            return Errorf("bad character %s", GoText.UnicodeNotation(r));
        }

        if (s_keywords.TryGetValue(word, out var kw) && kw > ItemType.Keyword)
        {
            // break and continue are keywords here: Prometheus defines no functions of those names.
            Emit(kw);
        }
        else if (word[0] == '.')
        {
            Emit(ItemType.Field);
        }
        else if (word is "true" or "false")
        {
            Emit(ItemType.Bool);
        }
        else
        {
            Emit(ItemType.Identifier);
        }

        return LexInsideAction;
    }

    private StateFn? LexField() => LexFieldOrVariable(ItemType.Field);

    private StateFn? LexVariable()
    {
        if (AtTerminator())
        {
            Emit(ItemType.Variable); // Nothing interesting follows: "$".
            return LexInsideAction;
        }

        return LexFieldOrVariable(ItemType.Variable);
    }

    private StateFn? LexFieldOrVariable(ItemType typ)
    {
        if (AtTerminator())
        {
            Emit(typ == ItemType.Variable ? ItemType.Variable : ItemType.Dot);
            return LexInsideAction;
        }

        int r;
        while (IsAlphaNumeric(r = Next()))
        {
        }

        Backup();
        if (!AtTerminator())
        {
            return Errorf("bad character %s", GoText.UnicodeNotation(r));
        }

        Emit(typ);
        return LexInsideAction;
    }

    // Whether the input is at a valid character to follow an identifier: breaks .X.Y into two pieces.
    private bool AtTerminator()
    {
        int r = Peek();
        return IsSpace(r) || r is Eof or '.' or ',' or '|' or ':' or ')' or '(' || StartsWithAt(_pos, RightDelim);
    }

    private StateFn? LexChar()
    {
        while (true)
        {
            int r = Next();
            if (r == '\\')
            {
                r = Next();
                if (r != Eof && r != '\n')
                {
                    continue;
                }
            }

            if (r is Eof or '\n')
            {
                return Errorf("unterminated character constant");
            }

            if (r == '\'')
            {
                break;
            }
        }

        Emit(ItemType.CharConstant);
        return LexInsideAction;
    }

    private StateFn? LexNumber()
    {
        if (!ScanNumber())
        {
            return Errorf("bad number syntax: %q", _input[_start.._pos]);
        }

        int sign = Peek();
        if (sign is '+' or '-')
        {
            // Complex: 1+2i. No spaces, must end in 'i'.
            if (!ScanNumber() || _input[_pos - 1] != 'i')
            {
                return Errorf("bad number syntax: %q", _input[_start.._pos]);
            }

            Emit(ItemType.Complex);
        }
        else
        {
            Emit(ItemType.Number);
        }

        return LexInsideAction;
    }

    private bool ScanNumber()
    {
        Accept("+-");
        string digits = "0123456789_";
        if (Accept("0"))
        {
            // A leading 0 does not mean octal in floats.
            if (Accept("xX"))
            {
                digits = "0123456789abcdefABCDEF_";
            }
            else if (Accept("oO"))
            {
                digits = "01234567_";
            }
            else if (Accept("bB"))
            {
                digits = "01_";
            }
        }

        AcceptRun(digits);
        if (Accept("."))
        {
            AcceptRun(digits);
        }

        if (digits.Length == 10 + 1 && Accept("eE"))
        {
            Accept("+-");
            AcceptRun("0123456789_");
        }

        if (digits.Length == 16 + 6 + 1 && Accept("pP"))
        {
            Accept("+-");
            AcceptRun("0123456789_");
        }

        Accept("i"); // Imaginary.
        if (IsAlphaNumeric(Peek()))
        {
            Next();
            return false;
        }

        return true;
    }

    private StateFn? LexQuote()
    {
        while (true)
        {
            int r = Next();
            if (r == '\\')
            {
                r = Next();
                if (r != Eof && r != '\n')
                {
                    continue;
                }
            }

            if (r is Eof or '\n')
            {
                return Errorf("unterminated quoted string");
            }

            if (r == '"')
            {
                break;
            }
        }

        Emit(ItemType.String);
        return LexInsideAction;
    }

    private StateFn? LexRawQuote()
    {
        while (true)
        {
            int r = Next();
            if (r == Eof)
            {
                return Errorf("unterminated raw quoted string");
            }

            if (r == '`')
            {
                break;
            }
        }

        Emit(ItemType.RawString);
        return LexInsideAction;
    }
}
