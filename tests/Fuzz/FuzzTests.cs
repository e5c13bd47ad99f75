using MetricsCluster.Fuzz.Tests.Framework;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.Fuzz.Tests;

/// <summary>
/// G19: each target is fuzzed for <c>FUZZ_SECONDS</c> (3 s by default, so the suite fits in CI), and every committed
/// corpus and crash file is replayed. A failure names the seed and input and saves the input under <c>crashes/</c>.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(FuzzTargets.Names), MemberType = typeof(FuzzTargets))]
    public void Fuzz_finds_no_undocumented_exception_or_hang(string name)
    {
        var target = FuzzTargets.Get(name);
        var seeds = CorpusStore.Load(name).Select(f => f.Data).ToList();
        int seed = FuzzSettings.Seed;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = FuzzDriver.Run(target, seeds, seed, FuzzSettings.Budget, FuzzSettings.InputTimeout);
        output.WriteLine($"{name}: FUZZ_SEED={seed}, {seeds.Count} seeds, {result.Executions} inputs in {clock.Elapsed.TotalSeconds:F1}s");
        if (result.Failure is { } failure)
        {
            Assert.Fail(failure.Describe(seed, result.FailedAt, FuzzSettings.InputTimeout));
        }
    }

    [Theory]
    [MemberData(nameof(FuzzTargets.Names), MemberType = typeof(FuzzTargets))]
    public void Committed_corpus_and_crashes_replay_cleanly(string name)
    {
        var inputs = CorpusStore.Load(name);
        Assert.True(inputs.Count > 0, $"tests/Fuzz/corpus/{name}/ has no seeds; regenerate with FUZZ_WRITE_SEEDS=1 (see docs/fuzzing.md)");
        if (FuzzDriver.Replay(FuzzTargets.Get(name), inputs) is var (path, error))
        {
            Assert.Fail($"{path} fails {name}:\n{error}");
        }
    }
}
