using System.Security.Cryptography;
using Xunit;

namespace MetricsCluster.PromQL.Tests.ScriptTests;

/// <summary>
/// G16: testdata/upstream must stay byte-identical to the pinned Prometheus copy. The pin travels with the repository
/// (SOURCE.txt lists every file's sha256), so a bare clone checks itself; where the steering copy
/// ../shared/promql-tests sits beside the clone, the copies must also equal it byte for byte.
/// </summary>
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

    /// <summary>All differences between our copy and the shared one; empty when in sync.</summary>
    internal static List<string> Drift(string upstream, string shared)
    {
        if (!Directory.Exists(shared))
        {
            return [$"Shared upstream PromQL tests not found at {shared}. The drift check needs the pinned Prometheus copy " +
                    "(shared/promql-tests beside the repository clone)."];
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

    /// <summary>Differences between the copies and the sha256 listing of their SOURCE.txt; empty when they agree.</summary>
    internal static List<string> ManifestDrift(string upstream)
    {
        string source = Path.Combine(upstream, "SOURCE.txt");
        if (!File.Exists(source))
        {
            return [$"Missing {source}: the pin of the upstream copies"];
        }

        var problems = new List<string>();
        var listed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(source))
        {
            // "<git blob id>  <sha256>  promql/promqltest/testdata/<name>.test"
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[0].Length == 40 && parts[1].Length == 64 && parts[2].EndsWith(".test", StringComparison.Ordinal))
            {
                listed[Path.GetFileName(parts[2])] = parts[1];
            }
        }

        if (listed.Count == 0)
        {
            problems.Add($"{source} lists no files");
        }

        foreach (var (name, sha) in listed)
        {
            string file = Path.Combine(upstream, name);
            if (!File.Exists(file))
            {
                problems.Add($"{name}: listed in SOURCE.txt but missing from testdata/upstream");
            }
            else if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))), sha, StringComparison.Ordinal))
            {
                problems.Add($"{name}: sha256 differs from SOURCE.txt (copy it verbatim from the pinned commit)");
            }
        }

        foreach (string f in Directory.GetFiles(upstream, "*.test").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal))
        {
            if (!listed.ContainsKey(f))
            {
                problems.Add($"{f}: in testdata/upstream but not listed in SOURCE.txt");
            }
        }

        return problems;
    }

    [Fact]
    public void UpstreamCopiesMatchTheirPinAndTheSharedCopy()
    {
        var problems = ManifestDrift(TestDataPaths.UpstreamDir);

        // The steering copy is absent from a user's clone; the pin above is what every clone checks.
        string shared = SharedDir();
        if (Directory.Exists(shared))
        {
            problems.AddRange(Drift(TestDataPaths.UpstreamDir, shared));
        }

        Assert.True(problems.Count == 0, "Upstream PromQL test data drifted:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void ManifestCheckReportsChangedMissingAndUnlistedFiles()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mc-manifest-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string a = "load 1m\n", b = "clear\n";
            string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
            File.WriteAllText(Path.Combine(dir, "SOURCE.txt"),
                $"Files:\n{new string('1', 40)}  {Sha(a)}  promql/promqltest/testdata/a.test\n{new string('2', 40)}  {Sha(b)}  promql/promqltest/testdata/b.test\n");
            File.WriteAllText(Path.Combine(dir, "a.test"), a);
            File.WriteAllText(Path.Combine(dir, "b.test"), b);
            Assert.Empty(ManifestDrift(dir));

            File.WriteAllText(Path.Combine(dir, "a.test"), "load 1m\r\n"); // a single changed byte counts
            File.Delete(Path.Combine(dir, "b.test"));
            File.WriteAllText(Path.Combine(dir, "c.test"), b);
            var problems = ManifestDrift(dir);
            Assert.Equal(3, problems.Count);
            Assert.StartsWith("a.test: sha256 differs", problems[0], StringComparison.Ordinal);
            Assert.StartsWith("b.test: listed in SOURCE.txt but missing", problems[1], StringComparison.Ordinal);
            Assert.StartsWith("c.test: in testdata/upstream but not listed", problems[2], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
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
