using MetricsCluster.PromQL.Tests.Scripts;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.PromQL.Tests.ScriptTests;

/// <summary>
/// Runs every eval of Prometheus' own test scripts (testdata/upstream, unmodified) against our engine (G16).
/// Every runnable eval must pass; skipped evals are listed with the reader's reason (experimental features).
/// </summary>
public class UpstreamScriptEvalTests(ITestOutputHelper output)
{
    public static TheoryData<string> Scripts => TestDataPaths.UpstreamScripts();

    [Theory]
    [MemberData(nameof(Scripts))]
    public void EveryRunnableEvalPasses(string file)
    {
        var script = ScriptReader.ParseFile(Path.Combine(TestDataPaths.UpstreamDir, file));
        var outcomes = ScriptRunner.Run(script);
        int passed = outcomes.Count(o => o.Passed), skipped = outcomes.Count(o => o.Skipped);
        var failed = outcomes.Where(o => o.Failure is not null).ToList();
        output.WriteLine($"{file}: {passed} passed, {failed.Count} failed, {skipped} skipped of {outcomes.Count} evals");
        foreach (var o in outcomes.Where(o => o.Skipped))
        {
            output.WriteLine($"  skipped line {o.Eval.Line}: {string.Join("; ", o.Eval.SkipReasons)}");
        }

        Assert.True(failed.Count == 0, $"{failed.Count} evals failed:\n" + string.Join("\n", failed));
    }
}
