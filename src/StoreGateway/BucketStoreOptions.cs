using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>Settings of the store-gateway's bucket stores (G5; Mimir <c>tsdb.BucketStoreConfig</c>).</summary>
public sealed class BucketStoreOptions
{
    /// <summary>Local state of the served blocks, <c>&lt;data.dir&gt;/store-gateway</c>: <c>&lt;dir&gt;/&lt;tenant&gt;/&lt;ULID&gt;/{meta.json,index-header}</c>.</summary>
    public string SyncDir { get; set; } = "./data/store-gateway";

    /// <summary>How often the block list of every tenant is re-read (<c>--blocks-storage.bucket-store.sync-interval</c>).</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Size limit of the in-memory index cache of postings lists and series entries
    /// (<c>--blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes</c>, Mimir default 1 GiB).
    /// </summary>
    public long IndexCacheMaxSizeBytes { get; set; } = 1L << 30;

    /// <summary>
    /// A block whose deletion mark is older than this is no longer served
    /// (<c>--blocks-storage.bucket-store.ignore-deletion-marks-delay</c>, Mimir default 1h). The compactor deletes
    /// marked blocks after its own, longer, delay, so queriers still holding the old block list find them.
    /// </summary>
    public TimeSpan IgnoreDeletionMarksDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Two byte ranges of one object closer than this are fetched in one request (Mimir's partitioner: 512 KiB).</summary>
    public long PartitionerMaxGapBytes { get; set; } = 512 * 1024;

    /// <summary>Bytes read for a series entry whose length is not known yet (Mimir <c>EstimatedMaxSeriesSize</c>, 64 KiB); longer ones cost a second read.</summary>
    public long SeriesSizeEstimateBytes { get; set; } = 64 * 1024;

    /// <summary>Bytes read for a chunk whose length is not known yet (Mimir <c>EstimatedMaxChunkSize</c>, 16000); longer ones cost a second read.</summary>
    public long ChunkSizeEstimateBytes { get; set; } = 16_000;

    /// <summary>
    /// Which blocks this store-gateway loads when store-gateways are sharded (cluster mode: the ring's
    /// <c>BlockOwnership.Owns</c>). A block not owned is not loaded, and is dropped at the next sync when it stops
    /// being owned; queries then do not read it, so the querier retries it on another replica. Null (the default,
    /// one store-gateway) owns every block. Set by the host, not by a flag.
    /// </summary>
    public Func<Ulid, bool>? OwnsBlock { get; set; }

    /// <summary>Throws when a setting is out of range, naming its flag.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(SyncDir))
        {
            throw new ArgumentException("the store-gateway sync dir must not be empty (--data.dir)");
        }

        if (SyncInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("blocks-storage.bucket-store.sync-interval must be positive (--blocks-storage.bucket-store.sync-interval)");
        }

        if (IndexCacheMaxSizeBytes < 0)
        {
            throw new ArgumentException("blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes must not be negative (--blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes)");
        }

        if (IgnoreDeletionMarksDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("blocks-storage.bucket-store.ignore-deletion-marks-delay must not be negative (--blocks-storage.bucket-store.ignore-deletion-marks-delay)");
        }

        if (PartitionerMaxGapBytes < 0 || SeriesSizeEstimateBytes < 16 || ChunkSizeEstimateBytes < 16)
        {
            throw new ArgumentException("the partitioner gap must not be negative and the series and chunk size estimates must be at least 16 bytes");
        }
    }
}
