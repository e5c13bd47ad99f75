using MetricsCluster.Core;
using MetricsCluster.PromQL.Tests.Scripts;
using Xunit;

namespace MetricsCluster.PromQL.Tests.ScriptTests;

public class ScriptReaderTests
{
    private static IReadOnlyList<ScriptCommand> Read(params string[] lines) => ScriptReader.Parse("t.test", string.Join('\n', lines)).Commands;

    private static EvalCommand Eval(params string[] lines) => Assert.IsType<EvalCommand>(Assert.Single(Read(lines)));

    [Fact]
    public void Load()
    {
        var cmds = Read(
            "# comment",
            "load 5m",
            "  foo{a=\"b\"} 0+10x2",
            "\tbar 1 _ stale",
            "  foo{a=\"b\"} 7",
            "",
            "load_with_nhcb 1m",
            "  x_bucket{le=\"1\"} 1");
        Assert.Equal(2, cmds.Count);
        var load = Assert.IsType<LoadCommand>(cmds[0]);
        Assert.Equal((2, 300_000L, false), (load.Line, load.StepMs, load.WithNhcb));
        Assert.Equal(2, load.Series.Count);

        // The later line for the same label set replaces the earlier one (in place).
        Assert.Equal((Labels.FromStrings("__name__", "foo", "a", "b"), 5), (load.Series[0].Labels, load.Series[0].Line));
        Assert.Equal("7", string.Join(' ', load.Series[0].Values));
        Assert.Equal(Labels.FromStrings("__name__", "bar"), load.Series[1].Labels);
        Assert.Equal([(0L, false), (600_000L, true)], load.Series[1].Samples(load.StepMs).Select(s => (s.TimestampMs, s.IsStale)));
        Assert.False(load.UsesNativeHistograms);

        var nhcb = Assert.IsType<LoadCommand>(cmds[1]);
        Assert.Equal((7, 60_000L, true, true), (nhcb.Line, nhcb.StepMs, nhcb.WithNhcb, nhcb.UsesNativeHistograms));
    }

    [Fact]
    public void LoadWithStartTimestamps()
    {
        var load = Assert.IsType<LoadCommand>(Assert.Single(Read(
            "load 1m",
            "  c{t=\"a\"}@st _ -30s-1mx1",
            "  c{t=\"a\"} 1 2 3",
            "  d 1")));
        Assert.Equal([null, -30_000L, -90_000L], load.Series[0].StartTimestampOffsets!);
        Assert.Null(load.Series[1].StartTimestampOffsets);
    }

    [Fact]
    public void Clear()
    {
        var cmds = Read("clear", "clear extra words ignored", "", "CLEAR");
        Assert.Equal([1, 2, 4], cmds.Select(c => Assert.IsType<ClearCommand>(c).Line));
    }

    [Fact]
    public void EvalInstant()
    {
        var e = Eval(
            "eval instant at 1h30m sum by (job) (foo)",
            "  {job=\"a\"} 3",
            "  foo{job=\"b\"} -Inf");
        Assert.Equal((1, EvalKind.Instant, "eval", "sum by (job) (foo)"), (e.Line, e.Kind, e.Keyword, e.Expr));
        Assert.Equal((5_400_000L, 5_400_000L, 5_400_000L, 0L), (e.AtMs, e.StartMs, e.EndMs, e.StepMs));
        Assert.Equal([2, 3], e.ExpectedSeries.Select(s => s.Line));
        Assert.Equal(Labels.FromStrings("job", "a"), e.ExpectedSeries[0].Labels);
        Assert.Equal([3.0, double.NegativeInfinity], e.ExpectedSeries.Select(s => s.Values.Single().Value));
        Assert.Empty(e.Expectations);
        Assert.Null(e.ExpectedScalar);
        Assert.False(e.ExpectsEmpty);
        Assert.Empty(e.SkipReasons);
        Assert.Null(e.ExprParseError);
    }

    [Fact]
    public void EvalRange()
    {
        var e = Eval(
            "eval range from 0 to 10m step 5m foo",
            "  foo 1 _ 3",
            "  {} 0+1x2");
        Assert.Equal((EvalKind.Range, 0L, 600_000L, 300_000L, "foo"), (e.Kind, e.StartMs, e.EndMs, e.StepMs, e.Expr));
        Assert.Equal([(0L, 1.0), (600_000L, 3.0)], e.ExpectedSeries[0].Samples(e.StartMs, e.StepMs).Select(s => (s.TimestampMs, s.Value)));
        Assert.Equal(Labels.Empty, e.ExpectedSeries[1].Labels);
        Assert.Equal("0 1 2", string.Join(' ', e.ExpectedSeries[1].Values));
    }

    [Fact]
    public void ScalarEndsBlockAndCommentMeansEmpty()
    {
        var cmds = Read(
            "eval instant at 0 1 + 1",
            "  2",
            "clear",
            "eval instant at 10s foo",
            "  # empty",
            "",
            "eval instant at 0 scalar(foo)",
            "  NaN");
        Assert.Equal(4, cmds.Count);
        var first = Assert.IsType<EvalCommand>(cmds[0]);
        Assert.Equal(2.0, first.ExpectedScalar);
        Assert.Equal(3, Assert.IsType<ClearCommand>(cmds[1]).Line); // a scalar line ends the block
        Assert.True(Assert.IsType<EvalCommand>(cmds[2]).ExpectsEmpty);
        var third = Assert.IsType<EvalCommand>(cmds[3]);
        Assert.True(double.IsNaN(third.ExpectedScalar!.Value));
    }

    [Fact]
    public void CommentEndsEvalBlock()
    {
        var cmds = Read("eval instant at 10s foo", "  # empty", "", "eval instant at 0 bar");
        Assert.True(Assert.IsType<EvalCommand>(cmds[0]).ExpectsEmpty);
        Assert.Equal(4, cmds[1].Line);
    }

    [Theory]
    [InlineData("eval_fail instant at 0 foo", ExpectKind.Fail)]
    [InlineData("eval_warn instant at 0 foo", ExpectKind.Warn)]
    [InlineData("eval_info instant at 0 foo", ExpectKind.Info)]
    [InlineData("eval_ordered instant at 0 foo", ExpectKind.Ordered)]
    [InlineData("eval_fail range from 0 to 1m step 1m foo", ExpectKind.Fail)]
    [InlineData("eval_warn range from 0 to 1m step 1m foo", ExpectKind.Warn)]
    [InlineData("eval_info range from 0 to 1m step 1m foo", ExpectKind.Info)]
    public void LegacyEvalKeywords(string line, ExpectKind kind)
    {
        var e = Eval(line);
        Assert.Equal(new Expectation(1, kind), Assert.Single(e.Expectations));
        Assert.Equal(line[..line.IndexOf(' ', StringComparison.Ordinal)], e.Keyword);
        Assert.Equal("foo", e.Expr);
    }

    [Fact]
    public void ExpectedFailMessage()
    {
        var e = Eval("eval_fail instant at 0 foo", "  expected_fail_message some error text");
        Assert.Equal(new Expectation(2, ExpectKind.Fail, MessageMatchKind.Exact, "some error text"), Assert.Single(e.Expectations));
        var r = Eval("eval_fail instant at 0 foo", "  expected_fail_regexp err.*");
        Assert.Equal(new Expectation(2, ExpectKind.Fail, MessageMatchKind.Regex, "err.*"), Assert.Single(r.Expectations));
    }

    [Theory]
    [InlineData("expect fail", ExpectKind.Fail, MessageMatchKind.Any, null)]
    [InlineData("expect fail msg: vector cannot contain metrics with the same labelset", ExpectKind.Fail, MessageMatchKind.Exact, "vector cannot contain metrics with the same labelset")]
    [InlineData("expect fail msg:\"quoted\"  ", ExpectKind.Fail, MessageMatchKind.Exact, "\"quoted\"")]
    [InlineData("expect fail regex: .*labelset.*", ExpectKind.Fail, MessageMatchKind.Regex, ".*labelset.*")]
    [InlineData("expect warn", ExpectKind.Warn, MessageMatchKind.Any, null)]
    [InlineData("expect warn msg: PromQL warning: x (1:1)", ExpectKind.Warn, MessageMatchKind.Exact, "PromQL warning: x (1:1)")]
    [InlineData("expect no_warn", ExpectKind.NoWarn, MessageMatchKind.Any, null)]
    [InlineData("expect info regex: PromQL info: .*", ExpectKind.Info, MessageMatchKind.Regex, "PromQL info: .*")]
    [InlineData("expect no_info", ExpectKind.NoInfo, MessageMatchKind.Any, null)]
    [InlineData("expect ordered", ExpectKind.Ordered, MessageMatchKind.Any, null)]
    public void ExpectLines(string line, ExpectKind kind, MessageMatchKind match, string? text)
    {
        var e = Eval("eval instant at 0 foo", "  " + line, "  foo 1");
        Assert.Equal(new Expectation(2, kind, match, text), Assert.Single(e.Expectations));
        Assert.Single(e.ExpectedSeries);
    }

    [Fact]
    public void ExpectRangeVector()
    {
        var e = Eval(
            "eval instant at 1m some_metric[1m]",
            "  expect range vector from 10s to 1m step 10s",
            "  some_metric{env=\"1\"} 1 2 3 _ 5 6");
        Assert.Equal(new RangeVectorExpectation(2, 10_000, 60_000, 10_000), e.ExpectedRangeVector);
        Assert.Equal(6, e.ExpectedSeries[0].Values.Count);
    }

    [Theory]
    [InlineData("expect string \"Foo\"", "Foo")]
    [InlineData("expect string `Foo`", "Foo")]
    [InlineData("expect string \" Foo \"", " Foo ")]
    [InlineData("expect string \"\"", "")]
    [InlineData("expect string \"a\\nb\"", "a\nb")]
    public void ExpectString(string line, string expected)
    {
        var e = Eval("eval instant at 0 \"Foo\"", line);
        Assert.Equal(expected, e.ExpectedString);
        Assert.False(e.ExpectsEmpty);
    }

    [Theory]
    [InlineData("eval instant at 0 foo fill(0) bar", ScriptReader.ReasonFill)]
    [InlineData("eval instant at 0 foo + fill_left(1) bar", ScriptReader.ReasonFill)]
    [InlineData("eval instant at 0 rate(foo[5m] anchored)", ScriptReader.ReasonExtendedRange)]
    [InlineData("eval instant at 0 increase(foo[5m] smoothed)", ScriptReader.ReasonExtendedRange)]
    [InlineData("eval instant at 0 info(foo)", ScriptReader.ReasonInfo)]
    [InlineData("eval instant at 0 foo[step()]", ScriptReader.ReasonDurationFunctions)]
    [InlineData("eval instant at 0 start_timestamp(foo)", ScriptReader.ReasonStartTimestamps)]
    public void ExperimentalFeaturesGetSkipReasons(string line, string reason) => Assert.Contains(reason, Eval(line).SkipReasons);

    [Fact]
    public void ParserRejectionIsRecordedNotThrown()
    {
        var e = Eval("eval instant at 0 foo +");
        Assert.NotNull(e.ExprParseError);
        Assert.StartsWith(ScriptReader.ReasonParserRejects + ": ", Assert.Single(e.SkipReasons), StringComparison.Ordinal);
    }

    [Fact]
    public void NativeHistogramDetection()
    {
        var cmds = Read(
            "load 1m",
            "  h{job=\"a\"} {{sum:1 count:1}}x2",
            "  f{job=\"b\"} 1",
            "",
            "load_with_nhcb 1m",
            "  c_bucket{le=\"1\", job=\"c\"} 1",
            "",
            "eval instant at 0 h",
            "",
            "eval instant at 0 f",
            "",
            "eval instant at 0 {job=\"a\"}",
            "",
            "eval instant at 0 {__name__=~\"[hf]\", job=~\"a|b\"}",
            "",
            "eval instant at 0 {job=\"b\"}",
            "",
            "eval instant at 0 c",
            "",
            "eval instant at 0 c_bucket",
            "",
            "eval instant at 0 f * 0",
            "  {job=\"b\"} {{}}",
            "",
            "clear",
            "",
            "eval instant at 0 h");
        var flags = cmds.OfType<EvalCommand>().Select(e => (e.Line, e.UsesNativeHistograms)).ToList();
        Assert.Equal([(8, true), (10, false), (12, true), (14, true), (16, false), (18, true), (20, false), (22, true), (27, false)], flags);
        Assert.Equal([ScriptReader.ReasonNativeHistograms], cmds.OfType<EvalCommand>().First().SkipReasons);
    }

    [Theory]
    [InlineData(1, "foo")]
    [InlineData(1, "expect fail")]
    [InlineData(1, "load")]
    [InlineData(1, "load 1.5m")]
    [InlineData(2, "load 1m\n  foo 1x")]
    [InlineData(2, "load 1m\n  foo{a!=\"b\"} 1")]
    [InlineData(2, "load 1m\n  foo")]
    [InlineData(2, "load 1m\n  foo@st 1m")]
    [InlineData(3, "load 1m\n  foo@st 1m\n  bar 1")]
    [InlineData(3, "load 1m\n  foo@st 1m\n  foo 1 2")]
    [InlineData(1, "eval instant foo")]
    [InlineData(1, "eval instant at 1x foo")]
    [InlineData(1, "eval range from 10m to 0 step 1m foo")]
    [InlineData(1, "eval_ordered range from 0 to 1m step 1m foo")]
    [InlineData(2, "eval instant at 0 foo\n  foo 1 2")]
    [InlineData(2, "eval instant at 0 foo\n  foo")]
    [InlineData(2, "eval instant at 0 foo\n  expect bogus")]
    [InlineData(2, "eval instant at 0 foo\n  expectfail")]
    [InlineData(3, "eval instant at 0 foo\n  expect fail\n  expect fail")]
    [InlineData(3, "eval instant at 0 foo\n  expect warn\n  expect no_warn")]
    [InlineData(3, "eval instant at 0 foo\n  expect no_info\n  expect info msg: x")]
    [InlineData(2, "eval range from 0 to 1m step 1m foo\n  expect ordered")]
    [InlineData(2, "eval range from 0 to 1m step 1m foo\n  expect range vector from 0 to 1m step 1m")]
    [InlineData(2, "eval instant at 0 foo\n  expect string Foo")]
    [InlineData(2, "eval instant at 0 foo\n  expected_fail_message x")]
    [InlineData(3, "eval instant at 0 1\n  1\n  foo 1")]
    [InlineData(3, "eval instant at 0 foo\n  # c\n  foo 1")]
    public void ScriptErrorsNameTheLine(int line, string script)
    {
        var ex = Assert.Throws<ScriptParseException>(() => ScriptReader.Parse("bad.test", script));
        Assert.Equal(("bad.test", line), (ex.File, ex.Line));
        Assert.StartsWith($"bad.test:{line}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CrLfAndIndentationAreTrimmed()
    {
        var cmds = ScriptReader.Parse("t", "load 1m\r\n\t foo 1 2\r\n\r\neval instant at 1m foo\r\n    foo 2\r\n").Commands;
        var e = Assert.IsType<EvalCommand>(cmds[1]);
        Assert.Equal((4, 60_000L, 2.0), (e.Line, e.AtMs, e.ExpectedSeries.Single().Values.Single().Value));
    }
}
