using System.Runtime.InteropServices;

namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// Fsyncs a directory's entry list, which is what makes a rename survive power loss; .NET has no API for it and
/// this project does not allow unsafe code, so it uses a plain (runtime-marshalled) P/Invoke.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0;

    /// <summary>Fsyncs <paramref name="dir"/>; a no-op on Windows, where it is neither possible nor needed.</summary>
    public static void Fsync(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = NativeMethods.open(dir, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"open directory {dir} for fsync failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (NativeMethods.fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {dir} failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054, CA2101, IDE1006 // LibraryImport needs AllowUnsafeBlocks, which only Tsdb/Core have (G20).
        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int close(int fd);
#pragma warning restore SYSLIB1054, CA2101, IDE1006
    }
}
