using System.Diagnostics;

namespace MetricsCluster.Tests.Shared;

/// <summary>
/// A real, small filesystem for disk-full tests: a <c>tmpfs</c> of a few MiB mounted on a temp dir (the tests run as
/// root, as CI does), which <see cref="Fill"/> fills to the last byte with a filler file and <see cref="Free"/> frees
/// again. Disposing unmounts it and removes the mount point. A missing <c>mount</c> or privilege fails loudly.
/// </summary>
/// <remarks>Link this file into a test project; it needs nothing but the BCL.</remarks>
public sealed class SmallDisk : IDisposable
{
    private const string FillerName = "filler";

    private SmallDisk(string path) => Path = path;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> bytes on a new temp dir.</summary>
    public static SmallDisk Mount(long bytes)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "small-disk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", path);
        return new SmallDisk(path);
    }

    /// <summary>Writes a filler file until the filesystem refuses with ENOSPC; the disk is then full.</summary>
    public void Fill()
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)0x5a);
        using var f = new FileStream(System.IO.Path.Combine(Path, FillerName), FileMode.Append, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                f.Write(chunk);
            }
        }
        catch (IOException)
        {
            // ENOSPC: the last chunk may be part-written, which is what full means. Now byte by byte up to the end.
        }

        try
        {
            while (true)
            {
                f.Write(chunk.AsSpan(0, 1));
            }
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Deletes the filler file: everything it took is free again.</summary>
    public void Free() => File.Delete(System.IO.Path.Combine(Path, FillerName));

    /// <summary>Unmounts (lazily, so an open handle does not keep it) and removes the mount point.</summary>
    public void Dispose()
    {
        Run("umount", "-l", Path);
        Directory.Delete(Path);
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {err} (disk-full tests need root to mount a tmpfs)");
        }
    }
}
