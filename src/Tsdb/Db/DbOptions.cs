using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Tsdb.Db;

/// <summary>Settings of a <see cref="Db"/> (G5).</summary>
public sealed class DbOptions
{
    /// <summary>Block range R (ms): head chunks are cut at multiples of it, and head compaction writes R-aligned blocks.</summary>
    public long BlockRangeMs { get; set; } = 2 * 3_600_000;

    /// <summary>WAL segment file size.</summary>
    public int WalSegmentSize { get; set; } = new WalOptions().SegmentSize;

    /// <summary>Fsync the WAL on every append (else the owner syncs it periodically).</summary>
    public bool WalFsyncEveryPush { get; set; }

    /// <summary>External labels of the blocks head compaction writes (meta.json's Thanos section), e.g. <c>__org_id__</c>.</summary>
    public IReadOnlyDictionary<string, string> BlockLabels { get; set; } = new Dictionary<string, string>();

    /// <summary>Throws when a setting is invalid.</summary>
    /// <exception cref="ArgumentException">An invalid setting; the message names it.</exception>
    public void Validate()
    {
        if (BlockRangeMs <= 0)
        {
            throw new ArgumentException($"block_range {BlockRangeMs} must be positive");
        }

        new WalOptions { SegmentSize = WalSegmentSize }.Validate();
    }
}
