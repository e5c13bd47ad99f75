using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace MetricsCluster.Agent.Parsing;

/// <summary>
/// Token rules shared by both text formats: names, quoted strings, label blocks and numbers. Every
/// method works on the page span and positions; none allocates (G10).
/// </summary>
internal static class ExpositionScanner
{
    /// <summary>Go's <c>math.NaN()</c> bits, which Prometheus stores for every scraped NaN.</summary>
    internal static readonly double NormalNaN = BitConverter.Int64BitsToDouble(0x7ff8000000000001);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsMetricNameStart(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a' || b == '_' || b == ':';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsMetricNameChar(byte b) => IsMetricNameStart(b) || (uint)(b - '0') <= 9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsLabelNameStart(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a' || b == '_';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsLabelNameChar(byte b) => IsLabelNameStart(b) || (uint)(b - '0') <= 9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsBlank(byte b) => b == ' ' || b == '\t';

    /// <summary>Skips spaces and tabs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int SkipBlanks(ReadOnlySpan<byte> buf, int pos)
    {
        while (pos < buf.Length && IsBlank(buf[pos]))
        {
            pos++;
        }

        return pos;
    }

    /// <summary>Skips a legacy metric name; returns <paramref name="pos"/> when there is none.</summary>
    internal static int ScanMetricName(ReadOnlySpan<byte> buf, int pos)
    {
        if (pos >= buf.Length || !IsMetricNameStart(buf[pos]))
        {
            return pos;
        }

        pos++;
        while (pos < buf.Length && IsMetricNameChar(buf[pos]))
        {
            pos++;
        }

        return pos;
    }

    /// <summary>
    /// Skips a double-quoted string starting at the quote at <paramref name="pos"/>; returns the index after
    /// the closing quote. The content must be valid UTF-8 without a raw newline; a backslash escapes the
    /// next byte (only <c>\\</c>, <c>\"</c> and <c>\n</c> are interpreted later, as in Prometheus).
    /// </summary>
    internal static int ScanQuoted(ReadOnlySpan<byte> buf, int pos, int line, string what)
    {
        int start = pos + 1;
        int i = start;
        while (true)
        {
            if (i >= buf.Length || buf[i] == '\n')
            {
                ExpositionParseException.Throw($"unterminated {what}", pos, line);
            }

            byte b = buf[i];
            if (b == '"')
            {
                break;
            }

            if (b == '\\')
            {
                if (i + 1 >= buf.Length || buf[i + 1] == '\n')
                {
                    ExpositionParseException.Throw($"unterminated {what}", pos, line);
                }

                i += 2;
                continue;
            }

            i++;
        }

        if (!Utf8.IsValid(buf[start..i]))
        {
            ExpositionParseException.Throw($"invalid UTF-8 {what}", start, line);
        }

        return i + 1;
    }

    /// <summary>
    /// Skips a label block <c>{...}</c> starting at the brace at <paramref name="pos"/>, validating it, and returns
    /// the index after the closing brace. <paramref name="strict"/> is OpenMetrics (no blanks, no trailing comma);
    /// otherwise text 0.0.4's tolerance applies (blanks anywhere, trailing comma, Prometheus' missing-comma quirk).
    /// A quoted name standing alone is the metric name (UTF-8 names); <paramref name="nameSeen"/> tracks it.
    /// </summary>
    internal static int ScanLabelBlock(ReadOnlySpan<byte> buf, int pos, int line, bool strict, bool allowMetricName, ref bool nameSeen)
    {
        pos++;
        bool expectLabel = false;
        while (true)
        {
            if (!strict)
            {
                pos = SkipBlanks(buf, pos);
            }

            if (pos >= buf.Length)
            {
                ExpositionParseException.Throw("unterminated label block", pos, line);
            }

            if (buf[pos] == '}' && !(strict && expectLabel))
            {
                return pos + 1;
            }

            pos = ScanLabel(buf, pos, line, strict, allowMetricName, ref nameSeen);
            if (!strict)
            {
                pos = SkipBlanks(buf, pos);
            }

            if (pos < buf.Length && buf[pos] == ',')
            {
                pos++;
                expectLabel = true;
            }
            else if (pos < buf.Length && buf[pos] == '}')
            {
                return pos + 1;
            }
            else if (!strict && pos < buf.Length && (IsLabelNameStart(buf[pos]) || buf[pos] == '"'))
            {
                // Prometheus' text lexer accepts label pairs separated only by blanks; keep that tolerance.
                expectLabel = true;
            }
            else
            {
                ExpositionParseException.Throw("expected comma or brace close", pos, line);
            }
        }
    }

    private static int ScanLabel(ReadOnlySpan<byte> buf, int pos, int line, bool strict, bool allowMetricName, ref bool nameSeen)
    {
        byte c = buf[pos];
        if (c == '"')
        {
            pos = ScanQuoted(buf, pos, line, "label name");
            int after = strict ? pos : SkipBlanks(buf, pos);
            if (after < buf.Length && (buf[after] == ',' || buf[after] == '}'))
            {
                if (!allowMetricName || nameSeen)
                {
                    ExpositionParseException.Throw("metric name set twice or not allowed here", pos, line);
                }

                nameSeen = true;
                return pos;
            }
        }
        else if (IsLabelNameStart(c))
        {
            pos++;
            while (pos < buf.Length && IsLabelNameChar(buf[pos]))
            {
                pos++;
            }
        }
        else
        {
            ExpositionParseException.Throw("expected label name", pos, line);
        }

        if (!strict)
        {
            pos = SkipBlanks(buf, pos);
        }

        if (pos >= buf.Length || buf[pos] != '=')
        {
            ExpositionParseException.Throw("expected equal", pos, line);
        }

        pos++;
        if (!strict)
        {
            pos = SkipBlanks(buf, pos);
        }

        if (pos >= buf.Length || buf[pos] != '"')
        {
            ExpositionParseException.Throw("expected label value", pos, line);
        }

        return ScanQuoted(buf, pos, line, "label value");
    }

    /// <summary>
    /// Parses a number as Go's <c>strconv.ParseFloat</c> does for Prometheus: decimal and exponent forms,
    /// <c>NaN</c>, <c>Inf</c>, <c>Infinity</c> with optional sign in any case; <c>p</c>, <c>P</c> and <c>_</c> rejected.
    /// </summary>
    internal static double ParseFloat(ReadOnlySpan<byte> token, int offset, int line)
    {
        if (token.IsEmpty)
        {
            ExpositionParseException.Throw("expected a number", offset, line);
        }

        if (token.IndexOfAny("pP_"u8) >= 0)
        {
            ExpositionParseException.Throw("unsupported character in float", offset, line);
        }

        var word = token[0] is (byte)'+' or (byte)'-' ? token[1..] : token;
        if (word.Length > 0 && (word[0] | 0x20) is 'i' or 'n')
        {
            if (Ascii.EqualsIgnoreCase(word, "inf"u8) || Ascii.EqualsIgnoreCase(word, "infinity"u8))
            {
                return token[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            }

            if (Ascii.EqualsIgnoreCase(word, "nan"u8))
            {
                return NormalNaN;
            }
        }
        else if (double.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double v)
            && !double.IsNaN(v))
        {
            return v;
        }

        ExpositionParseException.Throw("invalid number", offset, line);
        return 0;
    }

    /// <summary>Maps the type word of a TYPE line; returns false for an unknown word.</summary>
    internal static bool TryParseType(ReadOnlySpan<byte> word, bool openMetrics, out MetricType type)
    {
        type = word switch
        {
            _ when word.SequenceEqual("counter"u8) => MetricType.Counter,
            _ when word.SequenceEqual("gauge"u8) => MetricType.Gauge,
            _ when word.SequenceEqual("histogram"u8) => MetricType.Histogram,
            _ when word.SequenceEqual("summary"u8) => MetricType.Summary,
            _ when !openMetrics && word.SequenceEqual("untyped"u8) => MetricType.Unknown,
            _ when openMetrics && word.SequenceEqual("unknown"u8) => MetricType.Unknown,
            _ when openMetrics && word.SequenceEqual("gaugehistogram"u8) => MetricType.GaugeHistogram,
            _ when openMetrics && word.SequenceEqual("info"u8) => MetricType.Info,
            _ when openMetrics && word.SequenceEqual("stateset"u8) => MetricType.StateSet,
            _ => (MetricType)(-1),
        };
        return (int)type >= 0;
    }
}
