using Xunit;

namespace MetricsCluster.PromQL.Tests.ScriptTests;

/// <summary>G16: testdata/upstream must stay byte-identical to the pinned Prometheus copy in ../shared/promql-tests.</summary>
public class UpstreamDriftTests
{
    /// <summary>Repo root (holding MetricsCluster.sln) above the output directory, then ../shared/promql-tests.</summary>
    private static string SharedDir()
    {
        string? root = TestDataPaths.RepoRoot();
        Assert.True(root is not null,
            $"Cannot find the repository root (a directory holding MetricsCluster.sln) above {AppContext.BaseDirectory}.");
        return Path.GetFullPath(Path.Combine(root!, "..", "shared", "promql-tests"));
    }

    /// <summary>All differences between our copy and the shared one; empty when in sync. Never skips.</summary>
    internal static List<string> Drift(string upstream, string shared)
    {
        if (!Directory.Exists(shared))
        {
            return [$"Shared upstream PromQL tests not found at {shared}. The drift check needs the pinned Prometheus copy " +
                    "(shared/promql-tests beside the repository clone); it never skips."];
        }

        if (!Directory.Exists(upstream))
        {
            return [$"Missing {upstream} (testdata not copied to the output directory?)"];
        }

        var problems = new List<string>();
        var ours = Directory.GetFiles(upstream).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        if (ours.Count == 0)
        {
            problems.Add($"{upstream} is empty");
        }

        foreach (string f in ours)
        {
            string theirs = Path.Combine(shared, f);
            if (!File.Exists(theirs))
            {
                problems.Add($"{f}: present in testdata/upstream but not in {shared}");
            }
            else if (!File.ReadAllBytes(theirs).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(upstream, f))))
            {
                problems.Add($"{f}: differs from {theirs} (copy it verbatim with cp)");
            }
        }

        foreach (string f in Directory.GetFiles(shared).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal))
        {
            if (!ours.Contains(f))
            {
                problems.Add($"{f}: present in {shared} but missing from testdata/upstream");
            }
        }

        return problems;
    }

    [Fact]
    public void UpstreamCopiesAreByteIdenticalToShared()
    {
        var problems = Drift(TestDataPaths.UpstreamDir, SharedDir());
        Assert.True(problems.Count == 0, "Upstream PromQL test data drifted:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void UpstreamHoldsAllTwentyOneScriptsAndSource()
    {
        var names = Directory.GetFiles(TestDataPaths.UpstreamDir).Select(f => Path.GetFileName(f)).ToList();
        Assert.Equal(21, names.Count(n => n.EndsWith(".test", StringComparison.Ordinal)));
        Assert.Contains("SOURCE.txt", names);
    }

    [Fact]
    public void DriftCheckReportsEveryKindOfDifference()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mc-drift-" + Guid.NewGuid().ToString("N"));
        string ours = Path.Combine(dir, "upstream");
        string shared = Path.Combine(dir, "shared");
        Directory.CreateDirectory(ours);
        Directory.CreateDirectory(shared);
        try
        {
            File.WriteAllText(Path.Combine(ours, "a.test"), "load 1m\n");
            File.WriteAllText(Path.Combine(shared, "a.test"), "load 1m\n");
            Assert.Empty(Drift(ours, shared));

            File.WriteAllText(Path.Combine(ours, "a.test"), "load 1m\r\n"); // a single changed byte counts
            File.WriteAllText(Path.Combine(shared, "b.test"), "clear\n");
            File.WriteAllText(Path.Combine(ours, "c.test"), "clear\n");
            var problems = Drift(ours, shared);
            Assert.Equal(3, problems.Count);
            Assert.StartsWith("a.test: differs", problems[0], StringComparison.Ordinal);
            Assert.StartsWith("c.test: present in testdata/upstream but not", problems[1], StringComparison.Ordinal);
            Assert.StartsWith("b.test: present in", problems[2], StringComparison.Ordinal);
            Assert.Contains("missing from testdata/upstream", problems[2], StringComparison.Ordinal);

            string absent = Path.Combine(dir, "nope");
            Assert.StartsWith("Shared upstream PromQL tests not found at " + absent, Assert.Single(Drift(ours, absent)), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
