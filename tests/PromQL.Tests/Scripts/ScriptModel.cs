using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Tests.Scripts;

/// <summary>A script-level error (the script itself is malformed), carrying file and line.</summary>
public sealed class ScriptParseException(string file, int line, string message)
    : Exception($"{file}:{line}: {message}")
{
    public string File { get; } = file;

    public int Line { get; } = line;

    public string Reason { get; } = message;
}

/// <summary>A parsed promqltest script: its commands in file order.</summary>
public sealed record TestScript(string Name, IReadOnlyList<ScriptCommand> Commands)
{
    public IEnumerable<EvalCommand> Evals => Commands.OfType<EvalCommand>();
}

/// <summary>One command of a script; <see cref="Line"/> is 1-based, of the command's first line.</summary>
public abstract record ScriptCommand(int Line);

/// <summary><c>clear</c>: discard all storage.</summary>
public sealed record ClearCommand(int Line) : ScriptCommand(Line);

/// <summary><c>load &lt;step&gt;</c> or <c>load_with_nhcb &lt;step&gt;</c>.</summary>
public sealed record LoadCommand(int Line, long StepMs, bool WithNhcb, IReadOnlyList<LoadSeries> Series) : ScriptCommand(Line)
{
    /// <summary>True if any loaded value is a native histogram literal (or NHCB synthesis is requested).</summary>
    public bool UsesNativeHistograms => WithNhcb || Series.Any(s => s.HasHistograms);
}

/// <summary>One series line of a load block, with its optional <c>@st</c> start-timestamp line.</summary>
/// <param name="Line">Line of the sample line.</param>
/// <param name="Labels">Canonical (sorted) label set.</param>
/// <param name="Values">Value slots in order; slot i is at <c>i * step</c>.</param>
/// <param name="StartTimestampOffsets">Per-slot ST offsets in ms (null entry = no ST), or null when there is no <c>@st</c> line.</param>
public sealed record LoadSeries(int Line, Labels Labels, IReadOnlyList<SequenceValue> Values, IReadOnlyList<long?>? StartTimestampOffsets)
{
    public bool HasHistograms => Values.Any(v => v.Histogram is not null);

    /// <summary>Expands the slots into samples at <c>i * stepMs</c>; omitted slots produce nothing.</summary>
    public IEnumerable<ScriptSample> Samples(long stepMs) => SeriesDescription.Expand(Values, 0, stepMs);
}

public enum EvalKind
{
    Instant,
    Range,
}

public enum ExpectKind
{
    Fail,
    Warn,
    NoWarn,
    Info,
    NoInfo,
    Ordered,
}

public enum MessageMatchKind
{
    /// <summary>Bare <c>expect x</c>: anything matches.</summary>
    Any,

    /// <summary><c>msg: text</c>: exact equality.</summary>
    Exact,

    /// <summary><c>regex: pattern</c> (Go RE2, unanchored).</summary>
    Regex,
}

/// <summary>An <c>expect</c> line (or the equivalent implied by a legacy <c>eval_*</c> keyword or <c>expected_fail_*</c> line).</summary>
public sealed record Expectation(int Line, ExpectKind Kind, MessageMatchKind MatchKind = MessageMatchKind.Any, string? Text = null);

/// <summary>An expected series: exact label set plus value slots (one for instant queries).</summary>
public sealed record ExpectedSeries(int Line, Labels Labels, IReadOnlyList<SequenceValue> Values)
{
    /// <summary>Expands the expected slots starting at <paramref name="startMs"/>.</summary>
    public IEnumerable<ScriptSample> Samples(long startMs, long stepMs) => SeriesDescription.Expand(Values, startMs, stepMs);
}

/// <summary><c>expect range vector from &lt;start&gt; to &lt;end&gt; step &lt;step&gt;</c>.</summary>
public sealed record RangeVectorExpectation(int Line, long StartMs, long EndMs, long StepMs);

/// <summary>
/// <c>eval instant at T expr</c> or <c>eval range from S to E step D expr</c> with everything of its block.
/// For instant evals <see cref="StartMs"/> = <see cref="EndMs"/> = the eval time and <see cref="StepMs"/> = 0.
/// </summary>
public sealed record EvalCommand(
    int Line,
    EvalKind Kind,
    string Keyword,
    string Expr,
    long StartMs,
    long EndMs,
    long StepMs,
    IReadOnlyList<Expectation> Expectations,
    IReadOnlyList<ExpectedSeries> ExpectedSeries,
    double? ExpectedScalar,
    string? ExpectedString,
    RangeVectorExpectation? ExpectedRangeVector,
    bool UsesNativeHistograms,
    IReadOnlyList<string> SkipReasons,
    string? ExprParseError) : ScriptCommand(Line)
{
    public long AtMs => StartMs;

    public bool ExpectFail => Expectations.Any(e => e.Kind == ExpectKind.Fail);

    public bool Ordered => Expectations.Any(e => e.Kind == ExpectKind.Ordered);

    /// <summary>True when the result must be empty (no result lines, no scalar, no string, no failure).</summary>
    public bool ExpectsEmpty => ExpectedSeries.Count == 0 && ExpectedScalar is null && ExpectedString is null && !ExpectFail;

    public bool ShouldSkip => SkipReasons.Count > 0;
}

/// <summary>One value slot of a sequence: omitted (<c>_</c>), a float (incl. stale marker) or a histogram term.</summary>
public readonly record struct SequenceValue(bool Omitted, double Value, HistogramTerm? Histogram)
{
    public static SequenceValue Missing => new(true, 0, null);

    public static SequenceValue Float(double v) => new(false, v, null);

    public static SequenceValue Stale => new(false, SeriesDescription.StaleNaN, null);

    public static SequenceValue Hist(HistogramTerm h) => new(false, 0, h);

    public bool IsStale => !Omitted && Histogram is null && BitConverter.DoubleToInt64Bits(Value) == SeriesDescription.StaleNaNBits;

    public override string ToString() =>
        Omitted ? "_" : Histogram is not null ? Histogram.ToString() : IsStale ? "stale" : FormatFloat(Value);

    /// <summary>Prometheus-style float text: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>, otherwise round-trip "R".</summary>
    public static string FormatFloat(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : double.IsNaN(v) ? "NaN" :
        v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One expanded sample. Exactly one of float / histogram is meaningful.</summary>
public readonly record struct ScriptSample(long TimestampMs, double Value, HistogramTerm? Histogram)
{
    public bool IsStale => Histogram is null && BitConverter.DoubleToInt64Bits(Value) == SeriesDescription.StaleNaNBits;
}

/// <summary>
/// A histogram value as written, not computed: <c>Base + Times * Increment</c> (or minus when <see cref="Subtract"/>).
/// A plain <c>{{…}}</c> has no increment. Computing the sum needs real histogram arithmetic (schema reconciliation).
/// </summary>
public sealed record HistogramTerm(HistogramLiteral Base, HistogramLiteral? Increment, int Times, bool Subtract)
{
    public override string ToString() =>
        Increment is null ? Base.ToString() : $"{Base}{(Subtract ? "-" : "+")}{Times}*{Increment}";
}

/// <summary>A parsed <c>{{…}}</c> native-histogram literal (absolute bucket counts, one span per list).</summary>
public sealed record HistogramLiteral(
    string Text,
    int Schema,
    double Sum,
    double Count,
    double ZeroBucket,
    double ZeroThreshold,
    IReadOnlyList<double> Buckets,
    int Offset,
    IReadOnlyList<double> NegativeBuckets,
    int NegativeOffset,
    IReadOnlyList<double> CustomValues,
    string? CounterResetHint)
{
    public override string ToString() => Text;
}
