using System.Globalization;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.PromQL;

/// <summary>Selector, range, subquery, offset and @ productions.</summary>
public sealed partial class Parser
{
    private const string MetricNameLabel = "__name__";

    /// <summary>vector_selector: [metric_identifier] ["{" label_matchers "}"].</summary>
    /// <param name="nameTok">The metric name token, or null when the selector starts at its brace.</param>
    /// <param name="requireNonEmpty">
    /// False for <see cref="ParseMetricSelector"/>: Prometheus checks the non-empty matcher rule on expressions only; the
    /// API endpoints taking <c>match[]</c> apply it themselves, each with its own wording (and federation not at all).
    /// </param>
    private VectorSelector ParseVectorSelector(Token? nameTok, bool requireNonEmpty = true)
    {
        string name = nameTok is { } nt ? Text(nt) : string.Empty;
        int start = nameTok?.Pos.Start ?? Current.Pos.Start;
        int end = nameTok?.Pos.End ?? start;
        var matchers = new List<Matcher>();
        if (Current.Kind == TokenKind.LeftBrace)
        {
            Advance();
            while (Current.Kind != TokenKind.RightBrace)
            {
                ParseLabelMatcher(matchers, name, nameTok is not null, start);
                if (Current.Kind == TokenKind.Comma)
                {
                    Advance();
                }
                else if (Current.Kind != TokenKind.RightBrace)
                {
                    Unexpected("label matching", "\",\" or \"}\"");
                }
            }

            end = Advance().Pos.End;
        }

        var pos = new PositionRange(start, end);
        if (nameTok is not null)
        {
            foreach (var m in matchers)
            {
                if (m.Name == MetricNameLabel)
                {
                    Fail(pos, $"metric name must not be set twice: {Quoting.Quote(name)} or {Quoting.Quote(m.Value)}");
                }
            }

            matchers.Add(new Matcher(MatcherType.Equal, MetricNameLabel, name));
        }
        else if (requireNonEmpty && matchers.TrueForAll(m => m.MatchesEmpty))
        {
            Fail(pos, "vector selector must contain at least one non-empty matcher");
        }

        return new VectorSelector(pos, name, new ValueList<Matcher>(matchers));
    }

    /// <summary>label_matcher: (IDENTIFIER | STRING) match_op STRING | STRING (the quoted metric name).</summary>
    private void ParseLabelMatcher(List<Matcher> matchers, string name, bool nameOutside, int start)
    {
        var labelTok = Current;
        string label;
        if (labelTok.Kind == TokenKind.Identifier)
        {
            label = Text(Advance());
        }
        else if (labelTok.Kind == TokenKind.String)
        {
            label = Unquote(Advance());
            if (Current.Kind is not (TokenKind.Eql or TokenKind.Neq or TokenKind.EqlRegex or TokenKind.NeqRegex))
            {
                // A lone quoted string is the metric name (Prometheus 3 UTF-8 names); as in Prometheus it becomes a
                // __name__ matcher and the selector's Name stays as written outside the braces.
                if (nameOutside)
                {
                    Fail(new PositionRange(start, labelTok.Pos.End), $"metric name must not be set twice: {Quoting.Quote(name)} or {Quoting.Quote(label)}");
                }

                matchers.Add(new Matcher(MatcherType.Equal, MetricNameLabel, label));
                return;
            }
        }
        else
        {
            Unexpected("label matching", "identifier or \"}\"");
            return;
        }

        var type = Current.Kind switch
        {
            TokenKind.Eql => MatcherType.Equal,
            TokenKind.Neq => MatcherType.NotEqual,
            TokenKind.EqlRegex => MatcherType.Regex,
            TokenKind.NeqRegex => MatcherType.NotRegex,
            _ => (MatcherType)255,
        };
        if ((byte)type == 255)
        {
            Unexpected("label matching", "label matching operator");
        }

        Advance();
        if (Current.Kind != TokenKind.String)
        {
            Unexpected("label matching", "string");
        }

        var valueTok = Advance();
        string value = Unquote(valueTok);
        try
        {
            matchers.Add(new Matcher(type, label, value));
        }
        catch (InvalidQueryShardException ex)
        {
            Fail(new PositionRange(labelTok.Pos.Start, valueTok.Pos.End), ex.Message);
        }
        catch (ArgumentException ex)
        {
            Fail(new PositionRange(labelTok.Pos.Start, valueTok.Pos.End), "error parsing regexp: " + ex.Message);
        }
    }

    /// <summary>matrix_selector: expr "[" duration "]"; subquery_expr: expr "[" duration ":" [duration] "]".</summary>
    private Expr ParseRangeOrSubquery(Expr e)
    {
        var open = Advance();
        var range = ParseDurationOperand("subquery selector", "number or duration");
        if (Current.Kind == TokenKind.Colon)
        {
            Advance();
            var step = TimeSpan.Zero;
            if (Current.Kind != TokenKind.RightBracket)
            {
                step = ParseDurationOperand("subquery selector", "number or duration or \"]\"");
            }

            var closeSq = Expect(TokenKind.RightBracket, "subquery selector", "\"]\"");
            return new SubqueryExpr(new PositionRange(e.Pos.Start, closeSq.Pos.End), e, range, step);
        }

        var close = Expect(TokenKind.RightBracket, "subquery or range", "\":\" or \"]\"");
        var brackets = new PositionRange(open.Pos.Start, close.Pos.End);
        if (e is not VectorSelector vs)
        {
            Fail(brackets, "ranges only allowed for vector selectors");
            return null!;
        }

        if (vs.OriginalOffset != TimeSpan.Zero)
        {
            Fail(brackets, "no offset modifiers allowed before range");
        }

        if (vs.Timestamp is not null || vs.StartOrEnd != AtModifier.None)
        {
            Fail(brackets, "no @ modifiers allowed before range");
        }

        return new MatrixSelector(new PositionRange(e.Pos.Start, close.Pos.End), vs, range);
    }

    /// <summary>number_duration_literal where a duration is wanted: a duration, or a number of seconds.</summary>
    private TimeSpan ParseDurationOperand(string context, string expected)
    {
        var t = Current;
        if (t.Kind == TokenKind.Duration)
        {
            Advance();
            return ParseDuration(t);
        }

        if (t.Kind == TokenKind.Number)
        {
            Advance();
            return SecondsToDuration(t, ParseNumber(t));
        }

        Unexpected(context, expected);
        return default;
    }

    /// <summary>
    /// Prometheus' bound on a duration: Go's time.Duration, int64 nanoseconds (about 292 years). Keeping it also keeps
    /// every evaluation time (an <c>@</c> time minus offsets and ranges) inside long milliseconds.
    /// </summary>
    private const long MaxDurationMs = long.MaxValue / 1_000_000;

    private TimeSpan SecondsToDuration(Token t, double seconds)
    {
        // Prometheus truncates: time.Duration(seconds * 1000) * time.Millisecond.
        double ms = Math.Truncate(seconds * 1000);
        if (double.IsNaN(ms) || Math.Abs(ms) > MaxDurationMs)
        {
            Fail(t.Pos, "duration out of range: " + Quoting.Quote(Text(t)));
        }

        return TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>offset_expr: expr "offset" ["-"] duration.</summary>
    private Expr ParseOffset(Expr e)
    {
        Advance();
        bool negative = false;
        if (Current.Kind is TokenKind.Sub)
        {
            Advance();
            negative = true;
        }

        var offset = ParseDurationOperand("offset", "number or duration");
        if (negative)
        {
            offset = -offset;
        }

        int end = _tokens[_i - 1].Pos.End;
        switch (e)
        {
            case VectorSelector vs:
                CheckOffsetUnset(vs.OriginalOffset, e);
                return vs with { OriginalOffset = offset, Pos = vs.Pos with { End = end } };
            case MatrixSelector ms:
                CheckOffsetUnset(ms.VectorSelector.OriginalOffset, e);
                return ms with { VectorSelector = ms.VectorSelector with { OriginalOffset = offset }, Pos = ms.Pos with { End = end } };
            case SubqueryExpr sq:
                CheckOffsetUnset(sq.OriginalOffset, e);
                return sq with { OriginalOffset = offset, Pos = sq.Pos with { End = end } };
            default:
                Fail(e.Pos, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
                return null!;
        }
    }

    private void CheckOffsetUnset(TimeSpan existing, Expr e)
    {
        if (existing != TimeSpan.Zero)
        {
            Fail(e.Pos, "offset may not be set multiple times");
        }
    }

    /// <summary>step_invariant_expr: expr "@" (signed_number | "start" "(" ")" | "end" "(" ")").</summary>
    private Expr ParseAt(Expr e)
    {
        Advance();
        long? ts = null;
        var mod = AtModifier.None;
        if (Current.Kind is TokenKind.Start or TokenKind.End)
        {
            mod = Advance().Kind == TokenKind.Start ? AtModifier.Start : AtModifier.End;
            Expect(TokenKind.LeftParen, "@ modifier", "\"(\"");
            Expect(TokenKind.RightParen, "@ modifier", "\")\"");
        }
        else
        {
            bool negative = false;
            if (Current.Kind is TokenKind.Sub or TokenKind.Add)
            {
                negative = Advance().Kind == TokenKind.Sub;
            }

            var t = Current;
            double seconds;
            if (t.Kind == TokenKind.Number)
            {
                seconds = ParseNumber(t);
            }
            else if (t.Kind == TokenKind.Duration)
            {
                seconds = ParseDuration(t).TotalSeconds;
            }
            else
            {
                Unexpected("@", "timestamp");
                return null!;
            }

            Advance();
            if (negative)
            {
                seconds = -seconds;
            }

            // Stay well inside long milliseconds so printing and re-parsing is exact.
            if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) >= 9.2e15)
            {
                Fail(t.Pos, "timestamp out of bounds for @ modifier: " + seconds.ToString("F6", CultureInfo.InvariantCulture));
            }

            ts = (long)Math.Round(seconds * 1000);
        }

        int end = _tokens[_i - 1].Pos.End;
        switch (e)
        {
            case VectorSelector vs:
                CheckAtUnset(vs.Timestamp, vs.StartOrEnd, e);
                return vs with { Timestamp = ts, StartOrEnd = mod, Pos = vs.Pos with { End = end } };
            case MatrixSelector ms:
                CheckAtUnset(ms.VectorSelector.Timestamp, ms.VectorSelector.StartOrEnd, e);
                return ms with { VectorSelector = ms.VectorSelector with { Timestamp = ts, StartOrEnd = mod }, Pos = ms.Pos with { End = end } };
            case SubqueryExpr sq:
                CheckAtUnset(sq.Timestamp, sq.StartOrEnd, e);
                return sq with { Timestamp = ts, StartOrEnd = mod, Pos = sq.Pos with { End = end } };
            default:
                Fail(e.Pos, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
                return null!;
        }
    }

    private void CheckAtUnset(long? ts, AtModifier mod, Expr e)
    {
        if (ts is not null || mod != AtModifier.None)
        {
            Fail(e.Pos, "@ <timestamp> may not be set multiple times");
        }
    }

    /// <summary>Parses <c>1y2w3d4h5m6s7ms</c> (units in this order, each at most once), as Prometheus' model.ParseDuration.</summary>
    private TimeSpan ParseDuration(Token t)
    {
        string s = Text(t);
        ReadOnlySpan<string> units = ["y", "w", "d", "h", "m", "s", "ms"];
        ReadOnlySpan<long> mult = [365L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, 24L * 3600 * 1000, 3600L * 1000, 60L * 1000, 1000, 1];
        int next = 0;
        long total = 0;
        int i = 0;
        while (i < s.Length)
        {
            int ds = i;
            while (i < s.Length && Lexer.IsDigit(s[i]))
            {
                i++;
            }

            string unit = i + 1 < s.Length && s[i] == 'm' && s[i + 1] == 's' ? "ms" : s[i].ToString();
            int u = units.IndexOf(unit);
            bool ok = long.TryParse(s.AsSpan(ds, i - ds), NumberStyles.None, CultureInfo.InvariantCulture, out long n);
            if (u < next || !ok || n > long.MaxValue / mult[u] / 4 || total > long.MaxValue / 4)
            {
                Fail(t.Pos, "not a valid duration string: " + Quoting.Quote(s));
            }

            total += n * mult[u];
            next = u + 1;
            i += unit.Length;
        }

        if (total > MaxDurationMs)
        {
            Fail(t.Pos, "duration out of range: " + Quoting.Quote(s));
        }

        return TimeSpan.FromMilliseconds(total);
    }
}
