using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using MetricsCluster.Core;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// Writes JSON byte for byte as Prometheus' API does (jsoniter's standard-library-compatible config plus
/// <c>util/jsonutil</c>): Go's string escaping with HTML escaping on, timestamps as
/// <c>jsonutil.MarshalTimestamp</c> and sample values as <c>jsonutil.MarshalFloat</c>. Utf8JsonWriter is not
/// used here because its escaping (raw <c>&lt;</c>, short <c>\b</c>/<c>\f</c>) and its number formatting differ.
/// None of its methods are thread-safe.
/// </summary>
internal sealed class PromJsonWriter
{
    private static readonly byte[] s_hex = "0123456789abcdef"u8.ToArray();

    private readonly ArrayBufferWriter<byte> _buffer;

    /// <summary>Initializes a new instance of the <see cref="PromJsonWriter"/> class.</summary>
    /// <param name="initialCapacity">Bytes to reserve at once (an estimate of the whole text saves regrowing and copying it).</param>
    public PromJsonWriter(int initialCapacity = 4096) => _buffer = new(Math.Max(initialCapacity, 256));

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.WrittenMemory;

    /// <summary>Appends ASCII punctuation or a literal (<c>{</c>, <c>"status":</c>) as is.</summary>
    public PromJsonWriter Raw(ReadOnlySpan<byte> ascii)
    {
        _buffer.Write(ascii);
        return this;
    }

    /// <summary>Appends one ASCII byte.</summary>
    public PromJsonWriter Raw(byte b)
    {
        _buffer.GetSpan(1)[0] = b;
        _buffer.Advance(1);
        return this;
    }

    /// <summary>Appends <paramref name="s"/> as a quoted JSON string, escaped like Go's encoding/json with HTML escaping.</summary>
    public PromJsonWriter String(string s) => String(Encoding.UTF8.GetBytes(s));

    /// <summary>
    /// Appends UTF-8 <paramref name="utf8"/> as a quoted JSON string, escaped like Go's encoding/json with HTML
    /// escaping (jsoniter's standard-library config): <c>\"</c>, <c>\\</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>, other
    /// control bytes and <c>&lt; &gt; &amp;</c> as <c>\u00XX</c>, U+2028/U+2029 escaped, invalid UTF-8 as <c>\ufffd</c>.
    /// </summary>
    public PromJsonWriter String(ReadOnlySpan<byte> utf8)
    {
        Raw((byte)'"');
        int runStart = 0;
        int i = 0;
        while (i < utf8.Length)
        {
            byte b = utf8[i];
            if (b < 0x80)
            {
                if (b >= 0x20 && b is not ((byte)'"' or (byte)'\\' or (byte)'<' or (byte)'>' or (byte)'&'))
                {
                    i++;
                    continue;
                }

                Raw(utf8[runStart..i]);
                switch (b)
                {
                    case (byte)'"': Raw("\\\""u8); break;
                    case (byte)'\\': Raw("\\\\"u8); break;
                    case (byte)'\n': Raw("\\n"u8); break;
                    case (byte)'\r': Raw("\\r"u8); break;
                    case (byte)'\t': Raw("\\t"u8); break;
                    default: Raw("\\u00"u8).Raw(s_hex[b >> 4]).Raw(s_hex[b & 0xF]); break;
                }

                runStart = ++i;
                continue;
            }

            var status = Rune.DecodeFromUtf8(utf8[i..], out var rune, out int consumed);
            if (status == OperationStatus.Done && rune.Value is not (0x2028 or 0x2029))
            {
                i += consumed;
                continue;
            }

            Raw(utf8[runStart..i]);
            Raw(status != OperationStatus.Done ? "\\ufffd"u8 : rune.Value == 0x2028 ? "\\u2028"u8 : "\\u2029"u8);
            // Go decodes an invalid sequence one byte at a time, so each bad byte becomes one U+FFFD.
            i += status == OperationStatus.Done ? consumed : 1;
            runStart = i;
        }

        Raw(utf8[runStart..]);
        return Raw((byte)'"');
    }

    /// <summary>Appends a millisecond timestamp as seconds: <c>1435781451.781</c>, <c>1.500</c>, <c>-0.500</c>, <c>12</c>.</summary>
    public PromJsonWriter Timestamp(long ms)
    {
        // As jsonutil.MarshalTimestamp: integer arithmetic, three fraction digits only when the fraction is non-zero.
        ulong abs = ms < 0 ? (ulong)-(ms + 1) + 1 : (ulong)ms;
        if (ms < 0)
        {
            Raw((byte)'-');
        }

        Integer(abs / 1000);
        ulong fraction = abs % 1000;
        if (fraction != 0)
        {
            Raw((byte)'.').Raw((byte)('0' + (fraction / 100))).Raw((byte)('0' + (fraction / 10 % 10))).Raw((byte)('0' + (fraction % 10)));
        }

        return this;
    }

    /// <summary>Appends a sample value as a quoted string, as <c>jsonutil.MarshalFloat</c>.</summary>
    public PromJsonWriter Float(double f)
    {
        // Fast path for the usual magnitudes, straight into the buffer: .NET's "R" is the shortest round-trip digits
        // (the ones FormatFloat starts from too), and where it has no exponent it is exactly Go's 'f' form of them.
        // Zero (its sign), tiny and huge values, NaN and the infinities take FormatFloat's way; so does any "R"
        // text with an exponent, whatever .NET's cut-off is.
        double abs = Math.Abs(f);
        if (abs >= 1 && abs < 1e15 && f == Math.Floor(f))
        {
            // A whole number (counters, counts) is its integer's digits in both: no shortest-digits search needed.
            var digits = _buffer.GetSpan(24);
            digits[0] = (byte)'"';
            Utf8Formatter.TryFormat((long)f, digits[1..], out int len);
            digits[len + 1] = (byte)'"';
            _buffer.Advance(len + 2);
            return this;
        }

        if (abs >= 1e-4 && abs < 1e15)
        {
            // Sign, 17 significant digits, a point and up to 4 leading zeros, and the two quotes fit in 32 bytes.
            var span = _buffer.GetSpan(32);
            if (f.TryFormat(span[1..^1], out int n, "R", CultureInfo.InvariantCulture) && span.Slice(1, n).IndexOfAny((byte)'E', (byte)'e') < 0)
            {
                span[0] = (byte)'"';
                span[n + 1] = (byte)'"';
                _buffer.Advance(n + 2);
                return this;
            }
        }

        return Raw((byte)'"').Raw(Encoding.ASCII.GetBytes(FormatFloat(f))).Raw((byte)'"');
    }

    /// <summary>
    /// Appends a finite number as Go's encoding/json writes a float64: shortest digits, <c>'f'</c> form except below
    /// 1e-6 and from 1e21 up, where the exponent has no leading zero (<c>1e-7</c>). Used where Prometheus marshals with
    /// encoding/json: the timestamps of scalar and string results (<c>float64(T) / 1000</c>).
    /// </summary>
    public PromJsonWriter Number(double f)
    {
        string s = GoFormat.Json(f);
        int e = s.IndexOf("e-0", StringComparison.Ordinal);
        return Raw(Encoding.ASCII.GetBytes(e >= 0 && e == s.Length - 4 ? s.Remove(e + 2, 1) : s));
    }

    /// <summary>
    /// Formats like Prometheus' <c>jsonutil.MarshalFloat</c>: Go's <c>strconv.FormatFloat(f, 'f', -1, 64)</c>
    /// (shortest round-trip digits, no exponent), except that magnitudes below 1e-6 or from 1e21 up use
    /// <c>'e'</c> (<c>1e-07</c>, <c>1e+21</c>), the cut-offs jsoniter and JavaScript use. Vector and matrix values.
    /// </summary>
    public static string FormatFloat(double f) => GoFormat.Json(f);

    /// <summary>
    /// Go's <c>strconv.FormatFloat(f, 'f', -1, 64)</c>, never an exponent (<c>1e-7</c> is <c>0.0000001</c>): how
    /// <c>promql.Scalar.MarshalJSON</c> writes a scalar result's value.
    /// </summary>
    public static string FormatFloatF(double f) => GoFormat.FormatFloat(f, 'f', -1);

    private void Integer(ulong v)
    {
        var span = _buffer.GetSpan(20);
        Utf8Formatter.TryFormat(v, span, out int written);
        _buffer.Advance(written);
    }
}
