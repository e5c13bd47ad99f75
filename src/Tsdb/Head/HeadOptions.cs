namespace MetricsCluster.Tsdb.Head;

/// <summary>Options of a tenant's head (G5).</summary>
public sealed class HeadOptions
{
    /// <summary>Block range in ms (2h). Chunks never cross a multiple of it, so blocks can be cut cleanly.</summary>
    public long BlockRangeMs { get; set; } = 2 * 60 * 60 * 1000;

    /// <summary>Number of series stripes; a power of two (Prometheus uses 16384).</summary>
    public int StripeSize { get; set; } = 4096;

    /// <summary>
    /// Directory for the memory-mapped head chunk files (<c>&lt;tenant dir&gt;/chunks_head</c>); closed chunks live
    /// there instead of on the heap. Null keeps them in memory (tests, heads without a directory).
    /// </summary>
    public string? ChunkDirectory { get; set; }

    /// <summary>Size cap of one head chunk file in bytes (Prometheus: 128 MiB); at least 64 KiB.</summary>
    public int ChunkSegmentBytes { get; set; } = 128 * 1024 * 1024;

    /// <summary>Throws when an option is out of range, naming it.</summary>
    public void Validate()
    {
        if (BlockRangeMs <= 0)
        {
            throw new ArgumentException("blocks-storage.tsdb.block-ranges-period must be positive");
        }

        if (StripeSize <= 0 || (StripeSize & (StripeSize - 1)) != 0)
        {
            throw new ArgumentException("head stripe size must be a power of two");
        }

        if (ChunkSegmentBytes < 64 * 1024)
        {
            throw new ArgumentException("head chunk segment size must be at least 64 KiB");
        }
    }
}
