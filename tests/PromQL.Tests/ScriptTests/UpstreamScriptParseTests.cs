using MetricsCluster.PromQL.Tests.Scripts;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.PromQL.Tests.ScriptTests;

/// <summary>Every upstream script must be read without a script error; prints per-file command counts.</summary>
public class UpstreamScriptParseTests(ITestOutputHelper output)
{
    public static TheoryData<string> Scripts => TestDataPaths.UpstreamScripts();

    [Theory]
    [MemberData(nameof(Scripts))]
    public void UpstreamScriptParses(string file)
    {
        var script = ScriptReader.ParseFile(Path.Combine(TestDataPaths.UpstreamDir, file));
        var evals = script.Evals.ToList();
        int instant = evals.Count(e => e.Kind == EvalKind.Instant);
        int loads = script.Commands.OfType<LoadCommand>().Count();
        int clears = script.Commands.OfType<ClearCommand>().Count();
        output.WriteLine($"{file}: {evals.Count} evals ({instant} instant, {evals.Count - instant} range), " +
                         $"{loads} loads, {clears} clears, {evals.Count(e => e.UsesNativeHistograms)} native-histogram, " +
                         $"{evals.Count(e => e.ShouldSkip)} with skip reasons, {evals.Count(e => !e.ShouldSkip)} runnable");
        foreach (var g in evals.SelectMany(e => e.SkipReasons.Select(r => r.StartsWith(ScriptReader.ReasonParserRejects, StringComparison.Ordinal) ? ScriptReader.ReasonParserRejects : r))
                     .GroupBy(r => r).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  skip: {g.Key}: {g.Count()}");
        }

        Assert.NotEmpty(evals);
        Assert.All(script.Commands, c => Assert.True(c.Line > 0));
    }

    /// <summary>Totals from promqltest-format.md §9 (2,214 evals, 1,885 instant, 310 loads, 33 with NHCB, 231 clears).</summary>
    [Fact]
    public void UpstreamTotalsMatchReferenceInventory()
    {
        var scripts = Directory.GetFiles(TestDataPaths.UpstreamDir, "*.test").Select(ScriptReader.ParseFile).ToList();
        var evals = scripts.SelectMany(s => s.Evals).ToList();
        var loads = scripts.SelectMany(s => s.Commands.OfType<LoadCommand>()).ToList();
        Assert.Equal(2214, evals.Count);
        Assert.Equal(1885, evals.Count(e => e.Kind == EvalKind.Instant));
        Assert.Equal(310, loads.Count);
        Assert.Equal(33, loads.Count(l => l.WithNhcb));
        Assert.Equal(231, scripts.Sum(s => s.Commands.OfType<ClearCommand>().Count()));
        Assert.Equal(5, evals.Count(e => e.ExpectedRangeVector is not null));
        Assert.Equal(5, evals.Count(e => e.ExpectedString is not null));
        Assert.Equal(3, evals.Count(e => e.Keyword == "eval_fail"));
        Assert.Equal(35, evals.Count(e => e.ExpectFail)); // 32 expect fail + 3 eval_fail
        Assert.Equal(24, evals.Count(e => e.Ordered));
        Assert.Equal(37, loads.Sum(l => l.Series.Count(s => s.StartTimestampOffsets is not null)));
    }
}
