using MetricsCluster.PromQL.Tests.Scripts;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.PromQL.Tests.ScriptTests;

/// <summary>Our own scripts (testdata/ours) through the same runner; none of them may be skipped.</summary>
public class OurScriptEvalTests(ITestOutputHelper output)
{
    public static TheoryData<string> Scripts
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string f in Directory.GetFiles(TestDataPaths.OursDir, "*.test").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal))
            {
                data.Add(f);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void EveryEvalPasses(string file)
    {
        var outcomes = ScriptRunner.Run(ScriptReader.ParseFile(Path.Combine(TestDataPaths.OursDir, file)));
        output.WriteLine($"{file}: {outcomes.Count(o => o.Passed)} of {outcomes.Count} evals passed");
        Assert.NotEmpty(outcomes);
        Assert.All(outcomes, o => Assert.False(o.Skipped, o.ToString()));
        var failed = outcomes.Where(o => o.Failure is not null).ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
    }
}
