namespace MetricsCluster.PromQL;

/// <summary>
/// PromQL lexer: a state machine in the style of Prometheus' <c>stateFn</c> lexer. Call <see cref="Next"/> until it
/// returns <see cref="TokenKind.Eof"/> or <see cref="TokenKind.Error"/>; after an error it only returns <see cref="TokenKind.Eof"/>.
/// Comments (<c># ...</c>) and whitespace are skipped. Token text is a slice of the input.
/// </summary>
public ref struct Lexer
{
    private enum State : byte
    {
        Statements,
        InsideBraces,
        Done,
    }

    private readonly ReadOnlySpan<char> _input;
    private int _pos;
    private int _start;
    private State _state;
    private int _parenDepth;
    private bool _bracketOpen;
    private bool _gotColon;

    /// <summary>Creates a lexer over <paramref name="input"/>.</summary>
    public Lexer(ReadOnlySpan<char> input)
    {
        _input = input;
        _state = State.Statements;
        ErrorMessage = null;
    }

    /// <summary>The message of the last <see cref="TokenKind.Error"/> token.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary>Returns the next token.</summary>
    public Token Next()
    {
        while (true)
        {
            SkipSpaceAndComments();
            _start = _pos;
            switch (_state)
            {
                case State.Statements:
                    return LexStatements();
                case State.InsideBraces:
                    return LexInsideBraces();
                default:
                    return Emit(TokenKind.Eof);
            }
        }
    }

    private void SkipSpaceAndComments()
    {
        while (_pos < _input.Length)
        {
            char c = _input[_pos];
            if (c is ' ' or '\t' or '\n' or '\r')
            {
                _pos++;
            }
            else if (c == '#')
            {
                while (_pos < _input.Length && _input[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private Token Emit(TokenKind kind) => new(kind, new PositionRange(_start, _pos));

    private Token Fail(string message)
    {
        ErrorMessage = message;
        _state = State.Done;
        return new Token(TokenKind.Error, new PositionRange(_start, Math.Max(_pos, _start)));
    }

    private char Peek() => _pos < _input.Length ? _input[_pos] : '\0';

    private bool Accept(char c)
    {
        if (Peek() == c && _pos < _input.Length)
        {
            _pos++;
            return true;
        }

        return false;
    }

    private Token LexStatements()
    {
        if (_pos >= _input.Length)
        {
            if (_parenDepth != 0)
            {
                return Fail("unclosed left parenthesis");
            }

            if (_bracketOpen)
            {
                return Fail("unclosed left bracket");
            }

            _state = State.Done;
            return Emit(TokenKind.Eof);
        }

        char r = _input[_pos++];
        switch (r)
        {
            case ',': return Emit(TokenKind.Comma);
            case '@': return Emit(TokenKind.At);
            case '*': return Emit(TokenKind.Mul);
            case '/': return Emit(TokenKind.Div);
            case '%': return Emit(TokenKind.Mod);
            case '^': return Emit(TokenKind.Pow);
            case '+': return Emit(TokenKind.Add);
            case '-': return Emit(TokenKind.Sub);
            case '=':
                if (Accept('='))
                {
                    return Emit(TokenKind.EqlC);
                }

                if (Peek() == '~')
                {
                    return Fail("unexpected character after '=': '~'");
                }

                return Emit(TokenKind.Eql);
            case '!':
                if (Accept('='))
                {
                    return Emit(TokenKind.Neq);
                }

                return Fail("unexpected character after '!': " + Quoting.QuoteRune(Peek(), _pos >= _input.Length));
            case '<': return Emit(Accept('=') ? TokenKind.Lte : TokenKind.Lss);
            case '>': return Emit(Accept('=') ? TokenKind.Gte : TokenKind.Gtr);
            case '"' or '\'': return LexString(r);
            case '`': return LexRawString();
            case '(':
                _parenDepth++;
                return Emit(TokenKind.LeftParen);
            case ')':
                if (_parenDepth == 0)
                {
                    return Fail("unexpected right parenthesis ')'");
                }

                _parenDepth--;
                return Emit(TokenKind.RightParen);
            case '{':
                _state = State.InsideBraces;
                return Emit(TokenKind.LeftBrace);
            case '[':
                if (_bracketOpen)
                {
                    return Fail("unexpected left bracket '['");
                }

                _bracketOpen = true;
                _gotColon = false;
                return Emit(TokenKind.LeftBracket);
            case ']':
                if (!_bracketOpen)
                {
                    return Fail("unexpected right bracket ']'");
                }

                _bracketOpen = false;
                return Emit(TokenKind.RightBracket);
            case ':' when _bracketOpen:
                if (_gotColon)
                {
                    return Fail("unexpected colon ':'");
                }

                _gotColon = true;
                return Emit(TokenKind.Colon);
            default:
                break;
        }

        if (IsDigit(r) || (r == '.' && IsDigit(Peek())))
        {
            _pos--;
            return LexNumberOrDuration();
        }

        if (IsAlpha(r) || r == ':')
        {
            return LexKeywordOrIdentifier();
        }

        return Fail("unexpected character: " + Quoting.QuoteRune(r, false));
    }

    private Token LexInsideBraces()
    {
        if (_pos >= _input.Length)
        {
            return Fail("unexpected end of input inside braces");
        }

        char r = _input[_pos++];
        switch (r)
        {
            case ',': return Emit(TokenKind.Comma);
            case '"' or '\'': return LexString(r);
            case '`': return LexRawString();
            case '=': return Emit(Accept('~') ? TokenKind.EqlRegex : TokenKind.Eql);
            case '!':
                if (Accept('~'))
                {
                    return Emit(TokenKind.NeqRegex);
                }

                if (Accept('='))
                {
                    return Emit(TokenKind.Neq);
                }

                return Fail("unexpected character after '!' inside braces: " + Quoting.QuoteRune(Peek(), _pos >= _input.Length));
            case '{': return Fail("unexpected left brace '{'");
            case '}':
                _state = State.Statements;
                return Emit(TokenKind.RightBrace);
            default:
                break;
        }

        if (IsAlpha(r))
        {
            while (_pos < _input.Length && IsAlphaNumeric(_input[_pos]))
            {
                _pos++;
            }

            return Emit(TokenKind.Identifier);
        }

        return Fail("unexpected character inside braces: " + Quoting.QuoteRune(r, false));
    }

    private Token LexString(char quote)
    {
        while (true)
        {
            if (_pos >= _input.Length || _input[_pos] == '\n')
            {
                return Fail("unterminated quoted string");
            }

            char c = _input[_pos++];
            if (c == '\\')
            {
                if (_pos >= _input.Length)
                {
                    return Fail("unterminated quoted string");
                }

                _pos++;
            }
            else if (c == quote)
            {
                return Emit(TokenKind.String);
            }
        }
    }

    private Token LexRawString()
    {
        while (true)
        {
            if (_pos >= _input.Length)
            {
                return Fail("unterminated raw string");
            }

            if (_input[_pos++] == '`')
            {
                return Emit(TokenKind.String);
            }
        }
    }

    private Token LexNumberOrDuration()
    {
        if (ScanNumber())
        {
            return Emit(TokenKind.Number);
        }

        // Not a plain number: rewind and try a duration such as 1h30m.
        _pos = _start;
        bool any = false;
        while (_pos < _input.Length && IsDigit(_input[_pos]))
        {
            while (_pos < _input.Length && IsDigit(_input[_pos]))
            {
                _pos++;
            }

            if (!AcceptUnit())
            {
                any = false;
                break;
            }

            any = true;
        }

        if (!any || (_pos < _input.Length && IsAlphaNumeric(_input[_pos])))
        {
            while (_pos < _input.Length && IsAlphaNumeric(_input[_pos]))
            {
                _pos++;
            }

            return Fail("bad number or duration syntax: " + Quoting.Quote(_input[_start.._pos].ToString()));
        }

        return Emit(TokenKind.Duration);
    }

    private bool AcceptUnit()
    {
        if (_pos >= _input.Length)
        {
            return false;
        }

        char c = _input[_pos];
        if (c == 'm' && _pos + 1 < _input.Length && _input[_pos + 1] == 's')
        {
            _pos += 2;
            return true;
        }

        if (c is 's' or 'm' or 'h' or 'd' or 'w' or 'y')
        {
            _pos++;
            return true;
        }

        return false;
    }

    private bool ScanNumber()
    {
        bool hex = false;
        if (Peek() == '0' && _pos + 1 < _input.Length && _input[_pos + 1] is 'x' or 'X')
        {
            _pos += 2;
            hex = true;
            if (Peek() == '_' && _pos < _input.Length)
            {
                // Go allows 0x_1F.
                _pos++;
            }

            if (ScanDigits(true) == 0)
            {
                return false;
            }
        }
        else
        {
            int intDigits = ScanDigits(false);
            int fracDigits = 0;
            if (Accept('.'))
            {
                fracDigits = ScanDigits(false);
            }

            if (intDigits + fracDigits == 0)
            {
                return false;
            }

            if (Peek() is 'e' or 'E' && _pos < _input.Length)
            {
                int save = _pos;
                _pos++;
                if (Peek() is '+' or '-' && _pos < _input.Length)
                {
                    _pos++;
                }

                if (ScanDigits(false) == 0)
                {
                    _pos = save + 1;
                    return false;
                }
            }
        }

        // The next character must not continue a word, else this is a duration or garbage.
        return !(_pos < _input.Length && (IsAlphaNumeric(_input[_pos]) || (!hex && _input[_pos] == '.')));
    }

    /// <summary>Consumes digits, with single underscores allowed between digits (Prometheus 3 / Go syntax).</summary>
    private int ScanDigits(bool hex)
    {
        int n = 0;
        while (_pos < _input.Length)
        {
            char c = _input[_pos];
            if (hex ? char.IsAsciiHexDigit(c) : IsDigit(c))
            {
                _pos++;
                n++;
            }
            else if (c == '_' && n > 0 && _pos + 1 < _input.Length && (hex ? char.IsAsciiHexDigit(_input[_pos + 1]) : IsDigit(_input[_pos + 1])))
            {
                _pos++;
            }
            else
            {
                break;
            }
        }

        return n;
    }

    private Token LexKeywordOrIdentifier()
    {
        while (_pos < _input.Length && (IsAlphaNumeric(_input[_pos]) || _input[_pos] == ':'))
        {
            _pos++;
        }

        ReadOnlySpan<char> word = _input[_start.._pos];
        TokenKind? kw = Keywords.Lookup(word);
        if (kw is { } k)
        {
            return Emit(k);
        }

        return Emit(word.Contains(':') ? TokenKind.MetricIdentifier : TokenKind.Identifier);
    }

    internal static bool IsDigit(char c) => c is >= '0' and <= '9';

    internal static bool IsAlpha(char c) => c == '_' || char.IsAsciiLetter(c);

    internal static bool IsAlphaNumeric(char c) => IsAlpha(c) || IsDigit(c);
}

/// <summary>Keyword table (case-insensitive, as in Prometheus).</summary>
internal static class Keywords
{
    private static readonly Dictionary<string, TokenKind> s_keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["and"] = TokenKind.And,
        ["or"] = TokenKind.Or,
        ["unless"] = TokenKind.Unless,
        ["atan2"] = TokenKind.Atan2,
        ["offset"] = TokenKind.Offset,
        ["by"] = TokenKind.By,
        ["without"] = TokenKind.Without,
        ["on"] = TokenKind.On,
        ["ignoring"] = TokenKind.Ignoring,
        ["group_left"] = TokenKind.GroupLeft,
        ["group_right"] = TokenKind.GroupRight,
        ["bool"] = TokenKind.Bool,
        ["start"] = TokenKind.Start,
        ["end"] = TokenKind.End,
        ["inf"] = TokenKind.Number,
        ["nan"] = TokenKind.Number,
        ["sum"] = TokenKind.Aggregator,
        ["avg"] = TokenKind.Aggregator,
        ["count"] = TokenKind.Aggregator,
        ["min"] = TokenKind.Aggregator,
        ["max"] = TokenKind.Aggregator,
        ["group"] = TokenKind.Aggregator,
        ["stddev"] = TokenKind.Aggregator,
        ["stdvar"] = TokenKind.Aggregator,
        ["topk"] = TokenKind.Aggregator,
        ["bottomk"] = TokenKind.Aggregator,
        ["count_values"] = TokenKind.Aggregator,
        ["quantile"] = TokenKind.Aggregator,
        ["limitk"] = TokenKind.Aggregator,
        ["limit_ratio"] = TokenKind.Aggregator,
    };

    private static readonly Dictionary<string, TokenKind>.AlternateLookup<ReadOnlySpan<char>> s_lookup =
        s_keywords.GetAlternateLookup<ReadOnlySpan<char>>();

    public static TokenKind? Lookup(ReadOnlySpan<char> word) => s_lookup.TryGetValue(word, out var k) ? k : null;
}
