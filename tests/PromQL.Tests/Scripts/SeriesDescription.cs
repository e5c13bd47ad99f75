using System.Globalization;
using System.Text.RegularExpressions;
using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Tests.Scripts;

/// <summary>
/// The series/value notation of promqltest (<c>metric{l="v"} 0+10x5 _ stale {{…}}</c>): splitting a line into
/// description and values, label-set parsing, value-sequence parsing and expansion into samples.
/// Parse methods throw <see cref="FormatException"/>; the reader wraps them with file and line.
/// </summary>
public static partial class SeriesDescription
{
    /// <summary>Bit pattern of Prometheus' stale marker NaN.</summary>
    public const long StaleNaNBits = 0x7FF0000000000002;

    public static readonly double StaleNaN = BitConverter.Int64BitsToDouble(StaleNaNBits);

    private const string Placeholder = "__mc_script_placeholder__";

    private const string Unsigned = @"(?:[iI][nN][fF]|[nN][aA][nN]|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)";

    private const string Num = "[+-]?" + Unsigned;

    // The increment of "a+bxN" is a *signed* number glued to a (grammar: series_value signed_number TIMES uint).
    private const string SignedNum = "[+-]" + Unsigned;

    private const string Dur = @"(?:0|(?:[0-9]+(?:ms|y|w|d|h|m|s))+)";

    [GeneratedRegex("^(?<a>" + Num + ")(?:(?<b>" + SignedNum + ")x(?<n>[0-9]+)|x(?<n>[0-9]+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ItemRegex();

    [GeneratedRegex("^(?<a>[+-]?" + Dur + ")(?:(?<op>[+-])(?<b>" + Dur + "))?(?:x(?<n>[0-9]+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex StItemRegex();

    [GeneratedRegex("^_(?:x(?<n>[0-9]+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex BlankRegex();

    /// <summary>
    /// Splits <c>desc values…</c> into the series description and the value text. The description is a metric name
    /// and/or a brace block (quotes respected); a glued <c>@st</c> suffix is removed and reported.
    /// </summary>
    public static (string Description, string Values, bool IsStartTimestampLine) Split(string line)
    {
        int i = 0;
        while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] != '{')
        {
            i++;
        }

        if (i < line.Length && line[i] == '{')
        {
            i = SkipBraces(line, i);
        }

        // A glued "@st" (after the brace block or at the end of a bare name).
        bool st = false;
        string desc = line[..i];
        if (line.AsSpan(i).StartsWith("@st", StringComparison.Ordinal) && (i + 3 == line.Length || char.IsWhiteSpace(line[i + 3])))
        {
            st = true;
            i += 3;
        }
        else if (desc.EndsWith("@st", StringComparison.Ordinal))
        {
            st = true;
            desc = desc[..^3];
        }

        if (desc.Length == 0)
        {
            throw new FormatException($"missing series description in \"{line}\"");
        }

        if (i < line.Length && !char.IsWhiteSpace(line[i]))
        {
            throw new FormatException($"unexpected character '{line[i]}' after series description \"{desc}\"");
        }

        return (desc, line[i..].Trim(), st);
    }

    private static int SkipBraces(string s, int open)
    {
        int i = open + 1;
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '}')
            {
                return i + 1;
            }

            if (c is '"' or '\'' or '`')
            {
                i++;
                while (i < s.Length && s[i] != c)
                {
                    if (s[i] == '\\' && c != '`')
                    {
                        i++;
                    }

                    i++;
                }

                if (i >= s.Length)
                {
                    throw new FormatException("unterminated quoted string in series description");
                }
            }

            i++;
        }

        throw new FormatException("unterminated label set '{' in series description");
    }

    /// <summary>
    /// Parses <c>metric{l="v", "utf8.name"="v"}</c> / <c>{__name__="m"}</c> / <c>{"m"}</c> / <c>{}</c> into a canonical label set.
    /// Uses the PromQL parser; only <c>=</c> matchers without offset or <c>@</c> are allowed. Names that are PromQL
    /// keywords (<c>fill</c>, <c>sum</c>, …) and label sets whose values are all empty are handled via a placeholder name.
    /// </summary>
    public static Labels ParseLabels(string desc)
    {
        if (desc == "{}")
        {
            return Labels.Empty;
        }

        PromQLParseException first;
        try
        {
            return FromSelector(Parser.ParseExpr(desc), null);
        }
        catch (PromQLParseException e)
        {
            first = e;
        }

        int brace = desc.IndexOf('{', StringComparison.Ordinal);
        string name = brace < 0 ? desc : desc[..brace];
        string braces = brace < 0 ? string.Empty : desc[brace..];
        if (name.Length > 0 && !IsIdentifier(name))
        {
            throw new FormatException($"invalid series description \"{desc}\": {first.Message}");
        }

        try
        {
            return FromSelector(Parser.ParseExpr(Placeholder + braces), name);
        }
        catch (PromQLParseException)
        {
            throw new FormatException($"invalid series description \"{desc}\": {first.Message}");
        }
    }

    private static bool IsIdentifier(string s) =>
        s.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or ':') && !char.IsAsciiDigit(s[0]);

    private static Labels FromSelector(Expr e, string? replacementName)
    {
        if (e is not VectorSelector vs || vs.OriginalOffset != default || vs.Timestamp is not null || vs.StartOrEnd != AtModifier.None)
        {
            throw new FormatException($"series description must be a plain selector, got {e}");
        }

        var pairs = new List<string>();
        foreach (var m in vs.Matchers)
        {
            if (m.Type != MatcherType.Equal)
            {
                throw new FormatException($"only '=' matchers are allowed in a series description, got {m.Name}");
            }

            if (replacementName is not null && m.Name == "__name__" && m.Value == Placeholder)
            {
                if (replacementName.Length > 0)
                {
                    pairs.Add("__name__");
                    pairs.Add(replacementName);
                }

                continue;
            }

            pairs.Add(m.Name);
            pairs.Add(m.Value);
        }

        return Labels.FromStrings([.. pairs]);
    }

    /// <summary>Parses a value sequence (<c>1 2 _x3 0+10x5 stale {{…}}x2</c>) into slots.</summary>
    public static List<SequenceValue> ParseValues(string text)
    {
        var result = new List<SequenceValue>();
        int i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            if (text.AsSpan(i).StartsWith("{{", StringComparison.Ordinal))
            {
                i = ParseHistogramItem(text, i, result);
                continue;
            }

            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            ParseItem(text[start..i], result);
        }

        return result;
    }

    private static void ParseItem(string tok, List<SequenceValue> result)
    {
        if (string.Equals(tok, "stale", StringComparison.OrdinalIgnoreCase))
        {
            result.Add(SequenceValue.Stale);
            return;
        }

        var blank = BlankRegex().Match(tok);
        if (blank.Success)
        {
            // "_xN" is N omitted slots (not N+1).
            int count = blank.Groups["n"].Success ? ParseCount(blank.Groups["n"].Value, tok) : 1;
            for (int k = 0; k < count; k++)
            {
                result.Add(SequenceValue.Missing);
            }

            return;
        }

        var m = ItemRegex().Match(tok);
        if (!m.Success)
        {
            throw new FormatException($"invalid value \"{tok}\"");
        }

        double a = ParseNumber(m.Groups["a"].Value);
        if (!m.Groups["n"].Success)
        {
            result.Add(SequenceValue.Float(a));
            return;
        }

        int n = ParseCount(m.Groups["n"].Value, tok);
        double b = m.Groups["b"].Success ? ParseNumber(m.Groups["b"].Value) : 0;
        for (int k = 0; k <= n; k++)
        {
            result.Add(SequenceValue.Float(a));
            a += b; // Same float64 accumulation as Prometheus' parser.
        }
    }

    private static int ParseCount(string s, string tok) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= 1_000_000
            ? n
            : throw new FormatException($"invalid repetition count in \"{tok}\"");

    /// <summary>A series-value number: decimal/scientific with optional sign, <c>Inf</c>/<c>NaN</c> in any case; no hex.</summary>
    public static double ParseNumber(string s)
    {
        ReadOnlySpan<char> body = s;
        bool neg = false;
        if (body.Length > 0 && (body[0] == '+' || body[0] == '-'))
        {
            neg = body[0] == '-';
            body = body[1..];
        }

        double v;
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase))
        {
            v = double.PositiveInfinity;
        }
        else if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }
        else if (body.Length > 0 && (char.IsAsciiDigit(body[0]) || body[0] == '.') &&
                 double.TryParse(body, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out v))
        {
        }
        else
        {
            throw new FormatException($"invalid number \"{s}\"");
        }

        return neg ? -v : v;
    }

    /// <summary>
    /// A whole expected-result line as a scalar, like Go's <c>strconv.ParseInt(s, 0, 64)</c> then <c>ParseFloat(s, 64)</c>
    /// (accepts <c>0x1F</c>, <c>1e3</c>, <c>+Inf</c>, <c>NaN</c>, <c>infinity</c>).
    /// </summary>
    public static bool TryParseScalar(string s, out double value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return false;
        }

        ReadOnlySpan<char> body = s;
        bool neg = false;
        if (body[0] is '+' or '-')
        {
            neg = body[0] == '-';
            body = body[1..];
        }

        if (body.Length == 0)
        {
            return false;
        }

        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = neg ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }

        // Integer with Go base prefix (0x, 0o, 0b, leading-0 octal).
        if (body.Length > 2 && body[0] == '0' && (body[1] | 0x20) is 'x' or 'o' or 'b')
        {
            int radix = (body[1] | 0x20) switch { 'x' => 16, 'o' => 8, _ => 2 };
            if (TryParseRadix(body[2..], radix, out ulong u))
            {
                value = neg ? -(double)u : u;
                return true;
            }

            return false;
        }

        if (body.Length > 1 && body[0] == '0' && body.ContainsOnlyDigits())
        {
            if (TryParseRadix(body[1..], 8, out ulong o))
            {
                value = neg ? -(double)o : o;
                return true;
            }
        }

        if (!(char.IsAsciiDigit(body[0]) || body[0] == '.'))
        {
            return false;
        }

        if (double.TryParse(body, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double d))
        {
            value = neg ? -d : d;
            return true;
        }

        return false;
    }

    private static bool ContainsOnlyDigits(this ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryParseRadix(ReadOnlySpan<char> digits, int radix, out ulong value)
    {
        value = 0;
        if (digits.Length == 0)
        {
            return false;
        }

        foreach (char c in digits)
        {
            if (c == '_')
            {
                continue;
            }

            int d = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? (c | 0x20) - 'a' + 10 : 99;
            if (d >= radix)
            {
                return false;
            }

            if (value > (ulong.MaxValue - (ulong)d) / (ulong)radix)
            {
                return false;
            }

            value = (value * (ulong)radix) + (ulong)d;
        }

        return true;
    }

    private static int ParseHistogramItem(string text, int i, List<SequenceValue> result)
    {
        var (baseLit, next) = ReadHistogram(text, i);
        i = next;
        HistogramLiteral? inc = null;
        bool subtract = false;
        int n = 0;
        bool repeated = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-') && text.AsSpan(i + 1).StartsWith("{{", StringComparison.Ordinal))
        {
            subtract = text[i] == '-';
            (inc, i) = ReadHistogram(text, i + 1);
            if (i >= text.Length || text[i] != 'x')
            {
                throw new FormatException("histogram series with increment needs a repetition count 'xN'");
            }
        }

        if (i < text.Length && text[i] == 'x')
        {
            int start = ++i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            n = ParseCount(text[start..i], text[(start - 1)..i]);
            repeated = true;
        }

        if (i < text.Length && !char.IsWhiteSpace(text[i]))
        {
            throw new FormatException($"unexpected character '{text[i]}' after histogram literal");
        }

        if (!repeated)
        {
            result.Add(SequenceValue.Hist(new HistogramTerm(baseLit, null, 0, false)));
            return i;
        }

        for (int k = 0; k <= n; k++)
        {
            result.Add(SequenceValue.Hist(new HistogramTerm(baseLit, inc, inc is null ? 0 : k, subtract)));
        }

        return i;
    }

    private static (HistogramLiteral Literal, int Next) ReadHistogram(string text, int i)
    {
        int end = text.IndexOf("}}", i + 2, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new FormatException("unterminated histogram literal '{{'");
        }

        return (ParseHistogram(text[i..(end + 2)]), end + 2);
    }

    /// <summary>Parses one <c>{{key:value …}}</c> literal (keys per promqltest-format §4.1).</summary>
    public static HistogramLiteral ParseHistogram(string literal)
    {
        if (!literal.StartsWith("{{", StringComparison.Ordinal) || !literal.EndsWith("}}", StringComparison.Ordinal))
        {
            throw new FormatException($"invalid histogram literal \"{literal}\"");
        }

        string body = literal[2..^2];
        int schema = 0, offset = 0, nOffset = 0;
        double sum = 0, count = 0, zBucket = 0, zWidth = 0;
        IReadOnlyList<double> buckets = [], nBuckets = [], custom = [];
        string? hint = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int i = 0;
        while (true)
        {
            while (i < body.Length && char.IsWhiteSpace(body[i]))
            {
                i++;
            }

            if (i >= body.Length)
            {
                break;
            }

            int colon = body.IndexOf(':', i);
            if (colon < 0)
            {
                throw new FormatException($"histogram literal item without ':' in \"{literal}\"");
            }

            string key = body[i..colon].Trim();
            i = colon + 1;
            while (i < body.Length && char.IsWhiteSpace(body[i]))
            {
                i++;
            }

            string raw;
            if (i < body.Length && body[i] == '[')
            {
                int close = body.IndexOf(']', i);
                if (close < 0)
                {
                    throw new FormatException($"unterminated '[' in histogram literal \"{literal}\"");
                }

                raw = body[i..(close + 1)];
                i = close + 1;
            }
            else
            {
                int start = i;
                while (i < body.Length && !char.IsWhiteSpace(body[i]))
                {
                    i++;
                }

                raw = body[start..i];
            }

            if (!seen.Add(key))
            {
                throw new FormatException($"duplicate key \"{key}\" in histogram literal \"{literal}\"");
            }

            switch (key)
            {
                case "schema": schema = ParseInt(raw, key); break;
                case "sum": sum = ParseNumber(raw); break;
                case "count": count = ParseNumber(raw); break;
                case "z_bucket": zBucket = ParseNumber(raw); break;
                case "z_bucket_w": zWidth = ParseNumber(raw); break;
                case "buckets": buckets = ParseList(raw, key); break;
                case "offset": offset = ParseInt(raw, key); break;
                case "n_buckets": nBuckets = ParseList(raw, key); break;
                case "n_offset": nOffset = ParseInt(raw, key); break;
                case "custom_values": custom = ParseList(raw, key); break;
                case "counter_reset_hint":
                    hint = raw is "unknown" or "reset" or "not_reset" or "gauge"
                        ? raw
                        : throw new FormatException($"invalid counter_reset_hint \"{raw}\"");
                    break;
                default: throw new FormatException($"unknown histogram key \"{key}\" in \"{literal}\"");
            }
        }

        return new HistogramLiteral(literal, schema, sum, count, zBucket, zWidth, buckets, offset, nBuckets, nOffset, custom, hint);
    }

    private static int ParseInt(string raw, string key) =>
        int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new FormatException($"invalid integer \"{raw}\" for histogram key {key}");

    private static double[] ParseList(string raw, string key)
    {
        if (raw.Length < 2 || raw[0] != '[' || raw[^1] != ']')
        {
            throw new FormatException($"histogram key {key} needs a [list], got \"{raw}\"");
        }

        return raw[1..^1].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(ParseNumber).ToArray();
    }

    /// <summary>Parses an <c>@st</c> sequence into per-slot start-timestamp offsets (ms; null = no ST).</summary>
    public static List<long?> ParseStartTimestamps(string text)
    {
        var result = new List<long?>();
        foreach (string tok in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var blank = BlankRegex().Match(tok);
            if (blank.Success)
            {
                int count = blank.Groups["n"].Success ? ParseCount(blank.Groups["n"].Value, tok) : 1;
                for (int k = 0; k < count; k++)
                {
                    result.Add(null);
                }

                continue;
            }

            var m = StItemRegex().Match(tok);
            if (!m.Success || !ScriptDuration.TryParseSigned(m.Groups["a"].Value, out long a))
            {
                throw new FormatException($"invalid start-timestamp item \"{tok}\"");
            }

            if (!m.Groups["n"].Success)
            {
                if (m.Groups["op"].Success)
                {
                    throw new FormatException($"start-timestamp item \"{tok}\" needs a repetition count");
                }

                result.Add(a);
                continue;
            }

            long b = 0;
            if (m.Groups["op"].Success)
            {
                if (!ScriptDuration.TryParse(m.Groups["b"].Value, out b))
                {
                    throw new FormatException($"invalid start-timestamp increment in \"{tok}\"");
                }

                b = m.Groups["op"].Value == "-" ? -b : b;
            }

            int n = ParseCount(m.Groups["n"].Value, tok);
            for (int k = 0; k <= n; k++)
            {
                result.Add(a + (k * b));
            }
        }

        return result;
    }

    /// <summary>Expands slots to samples: slot i at <c>startMs + i*stepMs</c>; omitted slots yield nothing.</summary>
    public static IEnumerable<ScriptSample> Expand(IReadOnlyList<SequenceValue> values, long startMs, long stepMs)
    {
        for (int i = 0; i < values.Count; i++)
        {
            var v = values[i];
            if (!v.Omitted)
            {
                yield return new ScriptSample(startMs + (i * stepMs), v.Value, v.Histogram);
            }
        }
    }
}
