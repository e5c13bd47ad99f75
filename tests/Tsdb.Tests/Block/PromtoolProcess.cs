using System.Diagnostics;

namespace MetricsCluster.Tsdb.Tests.Block;

/// <summary>
/// Runs the real <c>promtool</c> (Debian package <c>prometheus</c>, 2.42 here) for interop tests. If it is
/// missing it is installed with apt-get; if that fails the test fails loudly — interop is never skipped.
/// </summary>
internal static class PromtoolProcess
{
    public const string DefaultPath = "/usr/bin/promtool";

    private static readonly Lazy<string> s_path = new(Locate);

    public static string Path => s_path.Value;

    /// <summary>Runs <c>promtool args…</c>, returning stdout; throws with stderr when the exit code is not 0.</summary>
    public static string Run(params string[] args)
    {
        var (code, stdout, stderr) = RunRaw(Path, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"promtool {string.Join(' ', args)} exited with {code}:\n{stderr}\n{stdout}");
        }

        return stdout;
    }

    /// <summary>
    /// Runs <c>promtool tsdb dump [flags] dataDir</c>. promtool 2.42's dump opens the head's WAL and fails
    /// with "read WAL: find last checkpoint: open …/wal: no such file or directory" on a directory of
    /// blocks only, so an empty <c>wal</c> directory is created first (Prometheus' own data dirs have one).
    /// </summary>
    public static string Dump(string dataDir, params string[] flags)
    {
        Directory.CreateDirectory(System.IO.Path.Combine(dataDir, "wal"));
        return Run(["tsdb", "dump", .. flags, dataDir]);
    }

    private static string Locate()
    {
        if (File.Exists(DefaultPath))
        {
            return DefaultPath;
        }

        var (code, stdout, stderr) = RunRaw("apt-get", ["install", "-y", "--no-install-recommends", "prometheus"]);
        if (code != 0 || !File.Exists(DefaultPath))
        {
            throw new InvalidOperationException($"promtool is missing and 'apt-get install prometheus' failed ({code}); install the Debian prometheus package.\n{stderr}\n{stdout}");
        }

        return DefaultPath;
    }

    private static (int Code, string Stdout, string Stderr) RunRaw(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");

        // Read stderr concurrently so a chatty process cannot fill one pipe and deadlock.
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 2 minutes");
        }

        return (p.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }
}
