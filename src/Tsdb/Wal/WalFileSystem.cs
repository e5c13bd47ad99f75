using System.Runtime.InteropServices;

namespace MetricsCluster.Tsdb.Wal;

/// <summary>
/// File-system helpers the WAL needs for crash safety: .NET has no API to fsync a directory, which is
/// what makes a newly created segment name or a checkpoint rename survive power loss (Prometheus
/// fileutil.Fsync on the parent directory).
/// </summary>
internal static partial class WalFileSystem
{
    private const int ReadOnly = 0;

    /// <summary>Fsyncs the directory entry list of <paramref name="dir"/>; a no-op on Windows, where it is neither possible nor needed.</summary>
    public static void FsyncDirectory(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = Open(dir, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"open directory {dir} for fsync failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {dir} failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Cuts <paramref name="path"/> to <paramref name="length"/> bytes, zero-pads it to the next page boundary and fsyncs it.</summary>
    public static void TruncateAndPad(string path, long length)
    {
        using var h = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        long padded = (length + WalFormat.PageSize - 1) / WalFormat.PageSize * WalFormat.PageSize;

        // Truncate first so no byte of the damaged tail survives between the data and the zero padding.
        RandomAccess.SetLength(h, length);
        RandomAccess.SetLength(h, padded);
        RandomAccess.FlushToDisk(h);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
