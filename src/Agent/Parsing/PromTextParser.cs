using System.Runtime.CompilerServices;
using static MetricsCluster.Agent.Parsing.ExpositionScanner;

namespace MetricsCluster.Agent.Parsing;

/// <summary>
/// Pull parser for the Prometheus text format 0.0.4 (and the quoted UTF-8 names of 1.0.0), following
/// the rules of <c>docs/agent-scraping.md</c> and Prometheus' <c>promparse.go</c>: blank-tolerant,
/// trailing label comma allowed, integer millisecond timestamps. Spans it returns are slices of the
/// page, valid until the next call to <see cref="Next"/>; no allocation per entry (G10). A missing
/// final newline is tolerated, as Prometheus does.
/// </summary>
public ref struct PromTextParser : IExpositionParser
{
    private readonly ReadOnlySpan<byte> _buf;
    private int _pos;
    private int _line;
    private int _seriesStart;
    private int _seriesEnd;
    private int _nameStart;
    private int _nameEnd;
    private int _textStart;
    private int _textEnd;

    /// <summary>Starts at the beginning of <paramref name="page"/>.</summary>
    public PromTextParser(ReadOnlySpan<byte> page)
    {
        _buf = page;
        _line = 1;
    }

    /// <inheritdoc/>
    public readonly ReadOnlySpan<byte> Series => _buf[_seriesStart.._seriesEnd];

    /// <inheritdoc/>
    public double Value { get; private set; }

    /// <inheritdoc/>
    public bool HasTimestamp { get; private set; }

    /// <inheritdoc/>
    public long TimestampMs { get; private set; }

    /// <inheritdoc/>
    public readonly ReadOnlySpan<byte> MetricName => _buf[_nameStart.._nameEnd];

    /// <inheritdoc/>
    public MetricType Type { get; private set; }

    /// <inheritdoc/>
    public readonly ReadOnlySpan<byte> Text => _buf[_textStart.._textEnd];

    /// <inheritdoc/>
    public EntryKind Next()
    {
        while (true)
        {
            int pos = SkipBlanks(_buf, _pos);
            if (pos >= _buf.Length)
            {
                _pos = pos;
                return EntryKind.EndOfInput;
            }

            byte c = _buf[pos];
            if (c == '\n')
            {
                _pos = pos + 1;
                _line++;
                continue;
            }

            return c == '#' ? ParseComment(pos) : ParseSample(pos);
        }
    }

    private EntryKind ParseComment(int hash)
    {
        int pos = hash + 1;
        int afterBlanks = SkipBlanks(_buf, pos);
        var rest = _buf[afterBlanks..];
        if (afterBlanks > pos && rest.Length > 4 && (rest.StartsWith("HELP"u8) || rest.StartsWith("TYPE"u8)) && IsBlank(rest[4]))
        {
            return ParseMeta(afterBlanks, rest[0] == 'H' ? EntryKind.Help : EntryKind.Type);
        }

        // Any other comment: its text is the whole line, as Prometheus' Comment() returns it.
        int eol = LineEnd(hash);
        _textStart = hash;
        _textEnd = eol;
        ConsumeLine(eol);
        return EntryKind.Comment;
    }

    private EntryKind ParseMeta(int keyword, EntryKind kind)
    {
        int pos = SkipBlanks(_buf, keyword + 4);
        _nameStart = pos;
        int end;
        if (pos < _buf.Length && _buf[pos] == '"')
        {
            end = ScanQuoted(_buf, pos, _line, "metric name");
            _nameStart = pos + 1;
            _nameEnd = end - 1;
        }
        else
        {
            end = ScanMetricName(_buf, pos);
            _nameEnd = end;
        }

        if (end == pos)
        {
            ExpositionParseException.Throw(kind == EntryKind.Help ? "expected metric name after HELP" : "expected metric name after TYPE", pos, _line);
        }

        int eol = LineEnd(end);
        if (end < eol && !IsBlank(_buf[end]))
        {
            ExpositionParseException.Throw("expected blank after metric name", end, _line);
        }

        int text = SkipBlanks(_buf, end);
        text = Math.Min(text, eol);
        _textStart = text;
        _textEnd = eol;
        if (kind == EntryKind.Type)
        {
            var word = _buf[text..eol].TrimEnd(" \t"u8);
            if (!TryParseType(word, openMetrics: false, out var type))
            {
                ExpositionParseException.Throw("invalid metric type", text, _line);
            }

            Type = type;
        }

        ConsumeLine(eol);
        return kind;
    }

    private EntryKind ParseSample(int start)
    {
        _seriesStart = start;
        int pos;
        bool nameSeen;
        if (_buf[start] == '{')
        {
            nameSeen = false;
        }
        else
        {
            pos = ScanMetricName(_buf, start);
            if (pos == start)
            {
                ExpositionParseException.Throw("expected metric name", start, _line);
            }

            nameSeen = true;
            _seriesEnd = pos;
            start = SkipBlanks(_buf, pos);
        }

        if (start < _buf.Length && _buf[start] == '{')
        {
            pos = ScanLabelBlock(_buf, start, _line, strict: false, allowMetricName: true, ref nameSeen);
            if (!nameSeen)
            {
                ExpositionParseException.Throw("metric name not set", _seriesStart, _line);
            }

            _seriesEnd = pos;
        }

        ParseValueAndTimestamp(_seriesEnd);
        return EntryKind.Series;
    }

    private void ParseValueAndTimestamp(int pos)
    {
        int v = SkipBlanks(_buf, pos);
        if (v == pos || v >= _buf.Length || _buf[v] == '\n')
        {
            ExpositionParseException.Throw("expected value after metric", v, _line);
        }

        int vEnd = TokenEnd(v);
        Value = ParseFloat(_buf[v..vEnd], v, _line);
        int t = SkipBlanks(_buf, vEnd);
        HasTimestamp = false;
        if (t < _buf.Length && _buf[t] != '\n')
        {
            int tEnd = TokenEnd(t);
            TimestampMs = ParseMillis(_buf[t..tEnd], t);
            HasTimestamp = true;
            int after = SkipBlanks(_buf, tEnd);
            if (after < _buf.Length && _buf[after] != '\n')
            {
                ExpositionParseException.Throw("expected next entry after timestamp", after, _line);
            }

            t = after;
        }

        ConsumeLine(t);
    }

    private readonly long ParseMillis(ReadOnlySpan<byte> token, int offset)
    {
        // Prometheus' lexer takes only [0-9]+ here: no sign, no fraction.
        long ms = 0;
        foreach (byte b in token)
        {
            if ((uint)(b - '0') > 9 || ms > (long.MaxValue - 9) / 10)
            {
                ExpositionParseException.Throw("invalid timestamp", offset, _line);
            }

            ms = (ms * 10) + (b - '0');
        }

        return ms;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly int TokenEnd(int pos)
    {
        int n = _buf[pos..].IndexOfAny(" \t\n"u8);
        return n < 0 ? _buf.Length : pos + n;
    }

    private readonly int LineEnd(int pos)
    {
        int n = _buf[pos..].IndexOf((byte)'\n');
        return n < 0 ? _buf.Length : pos + n;
    }

    private void ConsumeLine(int eol)
    {
        if (eol < _buf.Length)
        {
            _line++;
            eol++;
        }

        _pos = eol;
    }
}
