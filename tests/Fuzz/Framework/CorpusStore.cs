using System.Security.Cryptography;

namespace MetricsCluster.Fuzz.Tests.Framework;

/// <summary>
/// The committed inputs in the source tree: <c>tests/Fuzz/corpus/&lt;target&gt;/*</c> (seeds and fixed crashes)
/// and <c>tests/Fuzz/crashes/&lt;target&gt;/&lt;sha1&gt;</c> (inputs that failed). The source tree, not the build
/// output, so a crash found in a run lands where <c>git add</c> can pick it up.
/// </summary>
public static class CorpusStore
{
    private static readonly Lazy<string> s_root = new(FindFuzzDirectory);

    /// <summary>The <c>tests/Fuzz</c> directory.</summary>
    public static string FuzzDirectory => s_root.Value;

    /// <summary>The seed corpus directory of <paramref name="target"/>.</summary>
    public static string CorpusDirectory(string target) => Path.Combine(FuzzDirectory, "corpus", target);

    /// <summary>The crash directory of <paramref name="target"/>.</summary>
    public static string CrashDirectory(string target) => Path.Combine(FuzzDirectory, "crashes", target);

    /// <summary>The committed inputs of <paramref name="target"/> (corpus, then crashes), sorted by path for determinism.</summary>
    public static List<(string Path, byte[] Data)> Load(string target)
    {
        var files = new List<string>();
        foreach (string dir in new[] { CorpusDirectory(target), CrashDirectory(target) })
        {
            if (Directory.Exists(dir))
            {
                files.AddRange(Directory.GetFiles(dir).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            }
        }

        return files.Select(f => (f, File.ReadAllBytes(f))).ToList();
    }

    /// <summary>Saves a failing input as <c>crashes/&lt;target&gt;/&lt;sha1&gt;</c> and returns its path.</summary>
    public static string SaveCrash(string target, byte[] input)
    {
        string dir = CrashDirectory(target);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, Convert.ToHexStringLower(SHA1.HashData(input)));
        File.WriteAllBytes(path, input);
        return path;
    }

    /// <summary>Writes a seed file (used by the seed generator only).</summary>
    public static void SaveSeed(string target, string name, ReadOnlySpan<byte> data)
    {
        string dir = CorpusDirectory(target);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, name), data.ToArray());
    }

    private static string FindFuzzDirectory()
    {
        // Walk up from bin/<config>/net10.0 to the checkout; FUZZ_ROOT overrides for out-of-tree runs.
        string? env = Environment.GetEnvironmentVariable("FUZZ_ROOT");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MetricsCluster.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "Fuzz");
            }
        }

        throw new InvalidOperationException("cannot find MetricsCluster.sln above " + AppContext.BaseDirectory + "; set FUZZ_ROOT to tests/Fuzz");
    }
}
