using MetricsCluster.PromQL.Tests.Scripts;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.PromQL.Tests.ScriptTests;

/// <summary>
/// Totals over all scripts, written to the test output and to promql-script-summary.txt beside the test assembly
/// (scripts/test.sh prints it), with every skipped eval and its reason.
/// </summary>
public class ScriptSummaryTests(ITestOutputHelper output)
{
    [Fact]
    public void PrintsPassAndSkipCounts()
    {
        var all = Directory.GetFiles(TestDataPaths.UpstreamDir, "*.test").Concat(Directory.GetFiles(TestDataPaths.OursDir, "*.test"))
            .Order(StringComparer.Ordinal)
            .SelectMany(f => ScriptRunner.Run(ScriptReader.ParseFile(f)))
            .ToList();
        int passed = all.Count(o => o.Passed), skipped = all.Count(o => o.Skipped), failed = all.Count(o => o.Failure is not null);
        var lines = new List<string> { $"PromQL test scripts: {passed} evals passed, {failed} failed, {skipped} skipped (of {all.Count})" };
        lines.AddRange(all.Where(o => o.Skipped)
            .SelectMany(o => o.Eval.SkipReasons.Take(1).Select(r => r.StartsWith(ScriptReader.ReasonParserRejects, StringComparison.Ordinal) ? ScriptReader.ReasonParserRejects : r))
            .GroupBy(r => r).OrderByDescending(g => g.Count()).Select(g => $"  skipped {g.Count(),4}: {g.Key}"));
        lines.AddRange(all.Where(o => o.Skipped).Select(o => "  skip " + o));
        File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, "promql-script-summary.txt"), lines);
        foreach (var l in lines.Take(20))
        {
            output.WriteLine(l);
        }

        Assert.Equal(0, failed);
        Assert.True(passed > 900, $"only {passed} evals passed");
    }
}
