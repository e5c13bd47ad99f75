using System.Text.RegularExpressions;
using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Tests.Scripts;

/// <summary>
/// Reads Prometheus promqltest scripts (<c>promql/promqltest/test.go</c> syntax, see
/// <c>shared/reference/promqltest-format.md</c>) into a typed command list. Script errors throw
/// <see cref="ScriptParseException"/> with file and line. Nothing is evaluated; unsupported constructs are kept and
/// reported through <see cref="EvalCommand.SkipReasons"/>.
/// </summary>
public static partial class ScriptReader
{
    public const string ReasonNativeHistograms = "native histograms";
    public const string ReasonStartTimestamps = "start timestamps (@st)";
    public const string ReasonFill = "binop fill/fill_left/fill_right modifier";
    public const string ReasonExtendedRange = "extended range selector (anchored/smoothed)";
    public const string ReasonInfo = "info() function";
    public const string ReasonDurationFunctions = "duration-expression functions (step()/range()/min_of/max_of)";
    public const string ReasonParserRejects = "MetricsCluster parser rejects expression";
    public const string ReasonTypeAndUnit = "__type__/__unit__ labels (type-and-unit-labels feature)";

    [GeneratedRegex(@"^load(?:_(with_nhcb))?\s+(.+?)$", RegexOptions.CultureInvariant)]
    private static partial Regex LoadRegex();

    [GeneratedRegex(@"^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex InstantRegex();

    [GeneratedRegex(@"^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex RangeRegex();

    [GeneratedRegex(@"^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ExpectRegex();

    [GeneratedRegex(@"^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ExpectRangeVectorRegex();

    [GeneratedRegex(@"\bfill(?:_left|_right)?\s*\(", RegexOptions.CultureInvariant)]
    private static partial Regex FillRegex();

    [GeneratedRegex(@"\b(?:anchored|smoothed)\b", RegexOptions.CultureInvariant)]
    private static partial Regex ExtendedRangeRegex();

    [GeneratedRegex(@"\binfo\s*\(", RegexOptions.CultureInvariant)]
    private static partial Regex InfoRegex();

    [GeneratedRegex(@"\b(?:step|range)\s*\(\s*\)|\b(?:min_of|max_of)\s*\(", RegexOptions.CultureInvariant)]
    private static partial Regex DurationFunctionRegex();

    [GeneratedRegex(@"\bstart_timestamp\s*\(", RegexOptions.CultureInvariant)]
    private static partial Regex StartTimestampFunctionRegex();

    [GeneratedRegex(@"[a-zA-Z_:][a-zA-Z0-9_:]*|""[^""]*""", RegexOptions.CultureInvariant)]
    private static partial Regex NameTokenRegex();

    /// <summary>Reads a script file; the script name is the file name.</summary>
    public static TestScript ParseFile(string path) => Parse(Path.GetFileName(path), File.ReadAllText(path));

    /// <summary>Parses script text.</summary>
    /// <exception cref="ScriptParseException">On any script error.</exception>
    public static TestScript Parse(string name, string text) => new State(name, text).Run();

    private sealed class State(string name, string text)
    {
        private readonly string[] _lines = text.Split('\n').Select(l =>
        {
            string t = l.Trim();
            return t.StartsWith('#') ? string.Empty : t;
        }).ToArray();

        private readonly List<ScriptCommand> _commands = [];

        // Metric names loaded since the last clear that hold native histograms / start timestamps.
        private readonly HashSet<string> _histogramNames = new(StringComparer.Ordinal);
        private readonly HashSet<string> _startTimestampNames = new(StringComparer.Ordinal);

        // Label sets of native-histogram series (incl. synthesised NHCB series) loaded since the last clear.
        private readonly List<Labels> _histogramSeries = [];
        private readonly List<Labels> _typeAndUnitSeries = [];

        public TestScript Run()
        {
            int i = 0;
            while (i < _lines.Length)
            {
                string line = _lines[i];
                if (line.Length == 0)
                {
                    i++;
                    continue;
                }

                string first = FirstToken(line).ToLowerInvariant();
                if (first == "clear")
                {
                    _commands.Add(new ClearCommand(i + 1));
                    _histogramNames.Clear();
                    _histogramSeries.Clear();
                    _typeAndUnitSeries.Clear();
                    _startTimestampNames.Clear();
                    i++;
                }
                else if (first.StartsWith("load", StringComparison.Ordinal))
                {
                    i = ParseLoad(i);
                }
                else if (first.StartsWith("eval", StringComparison.Ordinal))
                {
                    i = ParseEval(i);
                }
                else
                {
                    throw Error(i, $"invalid command \"{line}\"");
                }
            }

            return new TestScript(name, _commands);
        }

        private static string FirstToken(string line)
        {
            int sp = line.IndexOfAny([' ', '\t']);
            return sp < 0 ? line : line[..sp];
        }

        private ScriptParseException Error(int index, string message) => new(name, index + 1, message);

        private long Duration(int index, string text, string what) =>
            ScriptDuration.TryParse(text.Trim(), out long ms) ? ms : throw Error(index, $"invalid {what} duration \"{text}\"");

        private int ParseLoad(int i)
        {
            var m = LoadRegex().Match(_lines[i]);
            if (!m.Success)
            {
                throw Error(i, $"invalid load command \"{_lines[i]}\" (want: load <step>)");
            }

            bool nhcb = m.Groups[1].Success;
            long step = Duration(i, m.Groups[2].Value, "load step");
            var series = new List<LoadSeries>();
            (Labels Labels, List<long?> Offsets, int Index)? pendingSt = null;
            int j = i + 1;
            for (; j < _lines.Length && _lines[j].Length > 0; j++)
            {
                try
                {
                    var (desc, valueText, isSt) = SeriesDescription.Split(_lines[j]);
                    var labels = SeriesDescription.ParseLabels(desc);
                    if (isSt)
                    {
                        if (pendingSt is not null)
                        {
                            throw Error(j, "@st line must be followed by the sample line of the same series");
                        }

                        pendingSt = (labels, SeriesDescription.ParseStartTimestamps(valueText), j);
                        continue;
                    }

                    var values = SeriesDescription.ParseValues(valueText);
                    if (values.Count == 0)
                    {
                        throw Error(j, $"missing values for series {labels}");
                    }

                    List<long?>? offsets = null;
                    if (pendingSt is { } st)
                    {
                        if (st.Labels != labels)
                        {
                            throw Error(j, $"@st line names {st.Labels} but the sample line names {labels}");
                        }

                        if (st.Offsets.Count != values.Count)
                        {
                            throw Error(j, $"@st line has {st.Offsets.Count} slots but the sample line has {values.Count}");
                        }

                        offsets = st.Offsets;
                        pendingSt = null;
                    }

                    var ls = new LoadSeries(j + 1, labels, values, offsets);
                    int existing = series.FindIndex(s => s.Labels == labels);
                    if (existing >= 0)
                    {
                        series[existing] = ls; // Later line replaces the earlier one.
                    }
                    else
                    {
                        series.Add(ls);
                    }

                    string metric = labels.MetricName;
                    if (labels.Get("__type__").Length > 0 || labels.Get("__unit__").Length > 0)
                    {
                        _typeAndUnitSeries.Add(labels);
                    }

                    if (ls.HasHistograms)
                    {
                        _histogramNames.Add(metric);
                        _histogramSeries.Add(labels);
                    }

                    if (offsets is not null)
                    {
                        _startTimestampNames.Add(metric);
                    }

                    if (nhcb)
                    {
                        foreach (string suffix in (string[])["_bucket", "_count", "_sum"])
                        {
                            if (metric.EndsWith(suffix, StringComparison.Ordinal))
                            {
                                string family = metric[..^suffix.Length];
                                _histogramNames.Add(family);
                                _histogramSeries.Add(Labels.FromStrings([.. labels.Pairs()
                                    .Where(p => p.Key != "le")
                                    .SelectMany(p => p.Key == "__name__" ? [p.Key, family] : (string[])[p.Key, p.Value])]));
                            }
                        }
                    }
                }
                catch (FormatException e)
                {
                    throw Error(j, e.Message);
                }
            }

            if (pendingSt is { } dangling)
            {
                throw Error(dangling.Index, "@st line without a following sample line");
            }

            _commands.Add(new LoadCommand(i + 1, step, nhcb, series));
            return j;
        }

        private int ParseEval(int i)
        {
            string line = _lines[i];
            string keyword = FirstToken(line);
            var expectations = new List<Expectation>();
            EvalKind kind;
            string expr;
            long start, end, step;
            string? modifier;
            var im = InstantRegex().Match(line);
            if (im.Success)
            {
                kind = EvalKind.Instant;
                modifier = im.Groups[1].Success ? im.Groups[1].Value : null;
                start = end = Duration(i, im.Groups[2].Success ? im.Groups[2].Value : string.Empty, "eval time");
                step = 0;
                expr = im.Groups[3].Value;
            }
            else
            {
                var rm = RangeRegex().Match(line);
                if (!rm.Success)
                {
                    throw Error(i, $"invalid eval command \"{line}\"");
                }

                kind = EvalKind.Range;
                modifier = rm.Groups[1].Success ? rm.Groups[1].Value : null;
                start = Duration(i, rm.Groups[2].Value, "range start");
                end = Duration(i, rm.Groups[3].Value, "range end");
                step = Duration(i, rm.Groups[4].Value, "range step");
                expr = rm.Groups[5].Value;
                if (end < start)
                {
                    throw Error(i, $"invalid test definition, end timestamp ({rm.Groups[3].Value}) is before start timestamp ({rm.Groups[2].Value})");
                }
            }

            switch (modifier)
            {
                case "fail": expectations.Add(new Expectation(i + 1, ExpectKind.Fail)); break;
                case "warn": expectations.Add(new Expectation(i + 1, ExpectKind.Warn)); break;
                case "info": expectations.Add(new Expectation(i + 1, ExpectKind.Info)); break;
                case "ordered": expectations.Add(new Expectation(i + 1, ExpectKind.Ordered)); break;
                default: break;
            }

            var expected = new List<ExpectedSeries>();
            double? scalar = null;
            string? expectedString = null;
            RangeVectorExpectation? rangeVector = null;
            int j = i + 1;
            for (; j < _lines.Length && _lines[j].Length > 0; j++)
            {
                string l = _lines[j];
                if (l.StartsWith("expect ", StringComparison.Ordinal))
                {
                    ParseExpect(j, kind, expectations, ref expectedString, ref rangeVector);
                    continue;
                }

                if (l.StartsWith("expected_fail_message", StringComparison.Ordinal) ||
                    l.StartsWith("expected_fail_regexp", StringComparison.Ordinal))
                {
                    if (keyword != "eval_fail")
                    {
                        throw Error(j, "expected_fail_* is only allowed after eval_fail");
                    }

                    bool isRegex = l.StartsWith("expected_fail_regexp", StringComparison.Ordinal);
                    string rest = l[(isRegex ? "expected_fail_regexp" : "expected_fail_message").Length..].Trim();
                    expectations.RemoveAll(e => e.Kind == ExpectKind.Fail);
                    expectations.Add(new Expectation(j + 1, ExpectKind.Fail, isRegex ? MessageMatchKind.Regex : MessageMatchKind.Exact, rest));
                    j++;
                    break;
                }

                if (SeriesDescription.TryParseScalar(l, out double sv))
                {
                    scalar = sv;
                    j++;
                    break; // A scalar expectation ends the block.
                }

                try
                {
                    var (desc, valueText, isSt) = SeriesDescription.Split(l);
                    if (isSt)
                    {
                        throw Error(j, "@st lines are only allowed in load blocks");
                    }

                    var values = SeriesDescription.ParseValues(valueText);
                    if (values.Count == 0)
                    {
                        throw Error(j, $"missing values in expected result line \"{l}\"");
                    }

                    expected.Add(new ExpectedSeries(j + 1, SeriesDescription.ParseLabels(desc), values));
                }
                catch (FormatException e)
                {
                    throw Error(j, e.Message);
                }
            }

            if (kind == EvalKind.Instant && rangeVector is null)
            {
                var multi = expected.FirstOrDefault(e => e.Values.Count > 1);
                if (multi is not null)
                {
                    throw Error(multi.Line - 1, "expecting multiple values in instant evaluation not allowed");
                }
            }

            string? parseError = null;
            Expr? parsed = null;
            try
            {
                parsed = Parser.ParseExpr(expr);
            }
            catch (PromQLParseException e)
            {
                parseError = e.Message;
            }

            // With an AST: does any selector match a loaded histogram series? Without one: name heuristic.
            bool usesHistograms = expected.Any(e => e.Values.Any(v => v.Histogram is not null)) ||
                                  (parsed is not null ? SelectsAny(parsed, _histogramSeries) : MentionsAny(expr, _histogramNames));
            var reasons = new List<string>();
            if (usesHistograms)
            {
                reasons.Add(ReasonNativeHistograms);
            }

            if (MentionsAny(expr, _startTimestampNames) || StartTimestampFunctionRegex().IsMatch(expr))
            {
                reasons.Add(ReasonStartTimestamps);
            }

            if (FillRegex().IsMatch(expr))
            {
                reasons.Add(ReasonFill);
            }

            if (ExtendedRangeRegex().IsMatch(expr))
            {
                reasons.Add(ReasonExtendedRange);
            }

            if (InfoRegex().IsMatch(expr))
            {
                reasons.Add(ReasonInfo);
            }

            if (DurationFunctionRegex().IsMatch(expr))
            {
                reasons.Add(ReasonDurationFunctions);
            }

            if (parsed is not null && SelectsAny(parsed, _typeAndUnitSeries))
            {
                reasons.Add(ReasonTypeAndUnit);
            }

            if (parseError is not null)
            {
                reasons.Add($"{ReasonParserRejects}: {parseError}");
            }

            _commands.Add(new EvalCommand(i + 1, kind, keyword, expr, start, end, step, expectations, expected, scalar,
                expectedString, rangeVector, usesHistograms, reasons, parseError));
            return j;
        }

        private void ParseExpect(int j, EvalKind kind, List<Expectation> expectations, ref string? expectedString,
            ref RangeVectorExpectation? rangeVector)
        {
            string l = _lines[j];
            if (l.StartsWith("expect range vector", StringComparison.Ordinal))
            {
                var rv = ExpectRangeVectorRegex().Match(l);
                if (!rv.Success)
                {
                    throw Error(j, $"invalid range vector definition \"{l}\"");
                }

                if (kind != EvalKind.Instant)
                {
                    throw Error(j, "expect range vector is only allowed for instant evals");
                }

                long s = Duration(j, rv.Groups[1].Value, "range vector start");
                long e = Duration(j, rv.Groups[2].Value, "range vector end");
                long st = Duration(j, rv.Groups[3].Value, "range vector step");
                rangeVector = new RangeVectorExpectation(j + 1, s, e, st);
                return;
            }

            if (l.StartsWith("expect string", StringComparison.Ordinal))
            {
                if (kind != EvalKind.Instant)
                {
                    throw Error(j, "expect string is only allowed for instant evals");
                }

                string quoted = l["expect string".Length..].Trim();
                expectedString = quoted.Length >= 2 && (quoted[0] is '"' or '`') && quoted[^1] == quoted[0]
                    ? Quoting.TryUnquote(quoted, out string? err) ?? throw Error(j, $"invalid string \"{quoted}\": {err}")
                    : throw Error(j, $"expect string needs a quoted string, got \"{quoted}\"");
                return;
            }

            var m = ExpectRegex().Match(l);
            if (!m.Success)
            {
                throw Error(j, $"invalid expect statement \"{l}\"");
            }

            var k = m.Groups[1].Value switch
            {
                "ordered" => ExpectKind.Ordered,
                "fail" => ExpectKind.Fail,
                "warn" => ExpectKind.Warn,
                "no_warn" => ExpectKind.NoWarn,
                "info" => ExpectKind.Info,
                _ => ExpectKind.NoInfo,
            };
            var mk = !m.Groups[2].Success ? MessageMatchKind.Any : m.Groups[2].Value == "msg" ? MessageMatchKind.Exact : MessageMatchKind.Regex;
            string? textValue = m.Groups[3].Success ? m.Groups[3].Value.Trim() : null;
            if (k == ExpectKind.Ordered && kind != EvalKind.Instant)
            {
                throw Error(j, "expect ordered is only allowed for instant evals");
            }

            if (k == ExpectKind.Fail && expectations.Any(e => e.Kind == ExpectKind.Fail))
            {
                throw Error(j, "at most one expect fail per eval");
            }

            var conflict = k switch
            {
                ExpectKind.Warn => ExpectKind.NoWarn,
                ExpectKind.NoWarn => ExpectKind.Warn,
                ExpectKind.Info => ExpectKind.NoInfo,
                ExpectKind.NoInfo => ExpectKind.Info,
                _ => (ExpectKind?)null,
            };
            if (conflict is { } c && expectations.Any(e => e.Kind == c))
            {
                throw Error(j, $"expect {m.Groups[1].Value} conflicts with an earlier expect line of the opposite kind");
            }

            expectations.Add(new Expectation(j + 1, k, mk, textValue));
        }

        private static bool SelectsAny(Expr expr, List<Labels> series)
        {
            if (series.Count == 0)
            {
                return false;
            }

            bool found = false;
            Ast.Inspect(expr, e =>
            {
                if (!found && e is VectorSelector vs && series.Any(s => vs.Matchers.All(m => m.Matches(s.Get(m.Name)))))
                {
                    found = true;
                }

                return !found;
            });
            return found;
        }

        private static bool MentionsAny(string expr, HashSet<string> names)
        {
            if (names.Count == 0)
            {
                return false;
            }

            foreach (Match t in NameTokenRegex().Matches(expr))
            {
                string v = t.Value;
                if (v.Length >= 2 && v[0] == '"')
                {
                    v = v[1..^1];
                }

                if (names.Contains(v))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
