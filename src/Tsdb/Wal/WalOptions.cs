namespace MetricsCluster.Tsdb.Wal;

/// <summary>Options of a <see cref="WriteAheadLog"/> (G5).</summary>
public sealed class WalOptions
{
    /// <summary>
    /// Maximum segment size in bytes; a multiple of the 32 KiB page size. Default 128 MiB, as Prometheus.
    /// A single record larger than this still gets written, into a segment of its own.
    /// </summary>
    public int SegmentSize { get; set; } = 128 * 1024 * 1024;

    /// <summary>
    /// When true every <see cref="WriteAheadLog.Log(ReadOnlySpan{byte})"/> call fsyncs before it returns, so an
    /// acknowledged record survives power loss, at the cost of one fsync per call. When false (default)
    /// records survive a process crash but the last unsynced writes may be lost on power loss.
    /// </summary>
    public bool FsyncOnEveryLog { get; set; } = false;

    /// <summary>Throws when an option is out of range, naming it.</summary>
    public void Validate()
    {
        if (SegmentSize < WalFormat.PageSize || SegmentSize % WalFormat.PageSize != 0)
        {
            throw new ArgumentException(
                $"WAL segment size {SegmentSize} must be a positive multiple of the {WalFormat.PageSize} byte page size (-blocks-storage.tsdb.wal-segment-size-bytes)");
        }
    }
}
