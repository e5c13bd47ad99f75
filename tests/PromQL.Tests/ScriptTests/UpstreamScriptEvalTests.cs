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
    public void EveryRunnableEvalPasses(string file) => RunAll(file, detached: true);

    /// <summary>The same evals with every series decoded when fetched (the engine's other way of holding them).</summary>
    [Theory]
    [MemberData(nameof(Scripts))]
    public void EveryRunnableEvalPassesFromSeriesDecodedAtFetch(string file) => RunAll(file, detached: false);

    private void RunAll(string file, bool detached)
    {
        var script = ScriptReader.ParseFile(Path.Combine(TestDataPaths.UpstreamDir, file));
        var outcomes = ScriptRunner.Run(script, detached);
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
