using System.Runtime.CompilerServices;
using static MetricsCluster.Agent.Parsing.ExpositionScanner;

namespace MetricsCluster.Agent.Parsing;

/// <summary>
/// Pull parser for OpenMetrics 1.0 text, following the ABNF and Prometheus' <c>openmetricsparse.go</c>:
/// exactly one space between tokens, no trailing label comma, only TYPE/HELP/UNIT/EOF comment lines,
/// timestamps in (fractional) seconds converted to milliseconds by truncation, exemplars validated and
/// skipped, and a mandatory <c># EOF</c> with nothing after it. Spans it returns are slices of the page,
/// valid until the next call to <see cref="Next"/>; no allocation per entry (G10).
/// </summary>
public ref struct OpenMetricsParser : IExpositionParser
{
    private readonly ReadOnlySpan<byte> _buf;
    private int _pos;
    private int _line;
    private bool _done;
    private int _seriesStart;
    private int _seriesEnd;
    private int _nameStart;
    private int _nameEnd;
    private int _textStart;
    private int _textEnd;

    /// <summary>Starts at the beginning of <paramref name="page"/>.</summary>
    public OpenMetricsParser(ReadOnlySpan<byte> page)
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
        if (_done)
        {
            return EntryKind.EndOfInput;
        }

        int pos = _pos;
        if (pos >= _buf.Length)
        {
            ExpositionParseException.Throw("data does not end with # EOF", pos, _line);
        }

        byte c = _buf[pos];
        if (c == '#')
        {
            return ParseHashLine(pos);
        }

        if (c == '{' || IsMetricNameStart(c))
        {
            return ParseSample(pos);
        }

        ExpositionParseException.Throw("expected a valid start token", pos, _line);
        return EntryKind.EndOfInput;
    }

    private EntryKind ParseHashLine(int pos)
    {
        var rest = _buf[pos..];
        if (rest.StartsWith("# EOF"u8))
        {
            // Only an optional final newline may follow.
            int after = pos + 5;
            if (after < _buf.Length && !(_buf[after] == '\n' && after + 1 == _buf.Length))
            {
                ExpositionParseException.Throw("unexpected data after # EOF", after, _line);
            }

            _done = true;
            _pos = _buf.Length;
            return EntryKind.EndOfInput;
        }

        EntryKind kind = rest.StartsWith("# HELP "u8) ? EntryKind.Help
            : rest.StartsWith("# TYPE "u8) ? EntryKind.Type
            : rest.StartsWith("# UNIT "u8) ? EntryKind.Unit
            : EntryKind.EndOfInput;
        if (kind == EntryKind.EndOfInput)
        {
            ExpositionParseException.Throw("expected a valid start token", pos, _line);
        }

        return ParseMeta(pos + 7, kind);
    }

    private EntryKind ParseMeta(int pos, EntryKind kind)
    {
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
            _nameStart = pos;
            _nameEnd = end;
        }

        if (end == pos)
        {
            ExpositionParseException.Throw($"expected metric name after {KindWord(kind)}", pos, _line);
        }

        if (end >= _buf.Length || _buf[end] != ' ')
        {
            ExpositionParseException.Throw($"expected text in {KindWord(kind)}", end, _line);
        }

        int text = end + 1;
        int eol = LineEnd(text);
        _textStart = text;
        _textEnd = eol;
        var word = _buf[text..eol];
        if (kind == EntryKind.Type)
        {
            if (!TryParseType(word, openMetrics: true, out var type))
            {
                ExpositionParseException.Throw("invalid metric type", text, _line);
            }

            Type = type;
        }
        else if (kind == EntryKind.Unit && !word.IsEmpty && !IsUnitSuffix(MetricName, word))
        {
            ExpositionParseException.Throw("unit is not a suffix of the metric name", text, _line);
        }

        ConsumeLine(eol);
        return kind;
    }

    private static bool IsUnitSuffix(ReadOnlySpan<byte> name, ReadOnlySpan<byte> unit) =>
        name.Length > unit.Length + 1 && name.EndsWith(unit) && name[name.Length - unit.Length - 1] == '_';

    private static string KindWord(EntryKind kind) => kind switch
    {
        EntryKind.Help => "HELP",
        EntryKind.Type => "TYPE",
        _ => "UNIT",
    };

    private EntryKind ParseSample(int start)
    {
        _seriesStart = start;
        int pos = ScanMetricName(_buf, start);
        bool nameSeen = pos > start;
        if (pos < _buf.Length && _buf[pos] == '{')
        {
            pos = ScanLabelBlock(_buf, pos, _line, strict: true, allowMetricName: true, ref nameSeen);
        }

        if (!nameSeen)
        {
            ExpositionParseException.Throw("metric name not set", start, _line);
        }

        _seriesEnd = pos;
        if (pos >= _buf.Length || _buf[pos] != ' ')
        {
            ExpositionParseException.Throw("expected value after metric", pos, _line);
        }

        pos++;
        int vEnd = TokenEnd(pos);
        Value = ParseFloat(_buf[pos..vEnd], pos, _line);
        pos = vEnd;
        HasTimestamp = false;
        if (pos < _buf.Length && _buf[pos] == ' ' && !IsExemplarStart(pos))
        {
            pos++;
            int tEnd = TokenEnd(pos);
            TimestampMs = ParseSeconds(_buf[pos..tEnd], pos, "invalid timestamp");
            HasTimestamp = true;
            pos = tEnd;
        }

        if (pos < _buf.Length && _buf[pos] == ' ')
        {
            if (!IsExemplarStart(pos))
            {
                ExpositionParseException.Throw("expected next entry after timestamp", pos, _line);
            }

            pos = SkipExemplar(pos + 3);
        }

        if (pos < _buf.Length && _buf[pos] != '\n')
        {
            ExpositionParseException.Throw("expected end of line", pos, _line);
        }

        ConsumeLine(pos);
        return EntryKind.Series;
    }

    private readonly bool IsExemplarStart(int pos) => _buf[pos..].StartsWith(" # {"u8);

    /// <summary>Validates <c>{labels} value [timestamp]</c> after <c> # </c> and returns the end of the exemplar.</summary>
    private readonly int SkipExemplar(int brace)
    {
        bool nameSeen = false;
        int pos = ScanLabelBlock(_buf, brace, _line, strict: true, allowMetricName: false, ref nameSeen);
        if (pos >= _buf.Length || _buf[pos] != ' ')
        {
            ExpositionParseException.Throw("expected value after exemplar labels", pos, _line);
        }

        pos++;
        int vEnd = TokenEnd(pos);
        _ = ParseFloat(_buf[pos..vEnd], pos, _line);
        pos = vEnd;
        if (pos < _buf.Length && _buf[pos] == ' ')
        {
            pos++;
            int tEnd = TokenEnd(pos);
            _ = ParseSeconds(_buf[pos..tEnd], pos, "invalid exemplar timestamp");
            pos = tEnd;
        }

        return pos;
    }

    private readonly long ParseSeconds(ReadOnlySpan<byte> token, int offset, string reason)
    {
        double seconds = ParseFloat(token, offset, _line);
        if (!double.IsFinite(seconds))
        {
            ExpositionParseException.Throw(reason, offset, _line);
        }

        // Go's int64(ts*1000) truncates toward zero; out-of-range values are rejected rather than wrapped.
        double ms = seconds * 1000;
        if (ms >= 9.2e18 || ms <= -9.2e18)
        {
            ExpositionParseException.Throw(reason, offset, _line);
        }

        return (long)ms;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly int TokenEnd(int pos)
    {
        int n = _buf[pos..].IndexOfAny((byte)' ', (byte)'\n');
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
