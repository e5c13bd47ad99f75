using System.Diagnostics;

namespace MetricsCluster.Tsdb.Tests.Block;

/// <summary>
/// Runs Prometheus' promtool (Debian package <c>prometheus</c>, 2.42). When it is missing it installs it with
/// apt-get; when that fails the test fails loudly: interop tests are never skipped.
/// </summary>
internal static class PromtoolRunner
{
    public const string Path = "/usr/bin/promtool";

    private static readonly Lazy<string> s_ensured = new(Ensure);

    /// <summary>Runs promtool with <paramref name="args"/> and returns stdout; throws with stdout and stderr on failure.</summary>
    public static string Run(params string[] args)
    {
        _ = s_ensured.Value;
        var (code, stdout, stderr) = Exec(Path, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"promtool {string.Join(' ', args)} exited {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }

        return stdout;
    }

    /// <summary>
    /// Runs promtool with <paramref name="args"/> and returns its exit code and output, whatever the code: for
    /// commands whose failure is the result under test (<c>promtool check rules</c> on a bad file exits 1).
    /// </summary>
    public static (int Code, string Stdout, string Stderr) RunUnchecked(params string[] args)
    {
        _ = s_ensured.Value;
        return Exec(Path, args);
    }

    private static string Ensure()
    {
        if (!File.Exists(Path))
        {
            var (code, stdout, stderr) = Exec("apt-get", ["install", "-y", "--no-install-recommends", "prometheus"]);
            if (code != 0 || !File.Exists(Path))
            {
                throw new InvalidOperationException(
                    $"promtool is required for the interop tests and could not be installed (apt-get install prometheus exited {code}).\n{stdout}\n{stderr}");
            }
        }

        return ReadVersion();
    }

    private static string ReadVersion()
    {
        var (code, stdout, stderr) = Exec(Path, ["--version"]);
        return code == 0 ? stdout + stderr : throw new InvalidOperationException($"promtool --version exited {code}: {stderr}");
    }

    private static (int Code, string Stdout, string Stderr) Exec(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stderrTask = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderrTask.GetAwaiter().GetResult());
    }
}
