namespace MetricsCluster.Fuzz.Tests.Framework;

/// <summary>Scratch directories for targets whose decoder takes a path.</summary>
public static class FuzzTempDirectory
{
    /// <summary>
    /// Creates a directory on tmpfs when there is one: WAL repair fsyncs after nearly every mutant, and on a shared
    /// CI disk that would make the target a hundred times slower than the decoder it fuzzes.
    /// </summary>
    public static string Create(string prefix)
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string dir = Path.Combine(root, prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);

        // Targets live for the whole test process; remove the directory when it exits.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(dir);
        return dir;
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
