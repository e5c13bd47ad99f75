using Xunit;

namespace MetricsCluster.PromQL.Tests.ScriptTests;

/// <summary>Locates the test data copied to the output directory and the shared upstream copy beside the repo.</summary>
internal static class TestDataPaths
{
    public static string UpstreamDir => Path.Combine(AppContext.BaseDirectory, "testdata", "upstream");

    /// <summary>Our own scripts.</summary>
    public static string OursDir => Path.Combine(AppContext.BaseDirectory, "testdata", "ours");

    /// <summary>The repository root: the first ancestor of the output directory holding MetricsCluster.sln, or null.</summary>
    public static string? RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MetricsCluster.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>All upstream script file names (for theories).</summary>
    public static TheoryData<string> UpstreamScripts()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(UpstreamDir, "*.test").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal))
        {
            data.Add(f);
        }

        return data;
    }
}
