using MetricsCluster.Querier.Blocks;
using MetricsCluster.StoreGateway;

namespace MetricsCluster.Config;

/// <summary>The store-gateway's bucket-store settings and the querier's bucket index staleness (G5).</summary>
public sealed partial class ClusterConfig
{
    /// <summary>How often the store-gateway re-reads every tenant's block list (<c>--blocks-storage.bucket-store.sync-interval</c>).</summary>
    public TimeSpan BucketStoreSyncInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Store-gateway index cache limit (<c>--blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes</c>).</summary>
    public long BucketStoreIndexCacheMaxSizeBytes { get; set; } = 1L << 30;

    /// <summary>Age of a deletion mark after which the store-gateway drops the block (<c>--blocks-storage.bucket-store.ignore-deletion-marks-delay</c>).</summary>
    public TimeSpan BucketStoreIgnoreDeletionMarksDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A bucket index older than this fails queries (<c>--blocks-storage.bucket-store.bucket-index.max-stale-period</c>).</summary>
    public TimeSpan BucketIndexMaxStalePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The store-gateway's bucket-store options derived from this config.</summary>
    public BucketStoreOptions BucketStoreOptions() => new()
    {
        SyncDir = Path.Combine(DataDir, "store-gateway"),
        SyncInterval = BucketStoreSyncInterval,
        IndexCacheMaxSizeBytes = BucketStoreIndexCacheMaxSizeBytes,
        IgnoreDeletionMarksDelay = BucketStoreIgnoreDeletionMarksDelay,
    };

    /// <summary>The querier's block finding and consistency check settings derived from this config.</summary>
    public BlocksStoreOptions BlocksStoreOptions() => new()
    {
        SyncInterval = BucketStoreSyncInterval,
        IgnoreDeletionMarksDelay = BucketStoreIgnoreDeletionMarksDelay,
        MaxStalePeriod = BucketIndexMaxStalePeriod,
    };

    /// <summary>The bucket store's flags, in help order.</summary>
    internal static readonly ConfigOption[] BucketStoreFlags =
    [
        ConfigOption.Dur("blocks-storage.bucket-store.sync-interval", "How often the store-gateway re-reads every tenant's block list from the bucket.", c => c.BucketStoreSyncInterval, (c, v) => c.BucketStoreSyncInterval = v),
        ConfigOption.Long("blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes", "Size limit of the store-gateway's in-memory cache of postings lists and series entries.", c => c.BucketStoreIndexCacheMaxSizeBytes, (c, v) => c.BucketStoreIndexCacheMaxSizeBytes = v),
        ConfigOption.Dur("blocks-storage.bucket-store.bucket-index.max-stale-period", "Queries fail when a tenant's bucket index was not updated for longer than this (the compactor updates it).", c => c.BucketIndexMaxStalePeriod, (c, v) => c.BucketIndexMaxStalePeriod = v),
        ConfigOption.Dur("blocks-storage.bucket-store.ignore-deletion-marks-delay", "The store-gateway stops serving a block once its deletion mark is older than this.", c => c.BucketStoreIgnoreDeletionMarksDelay, (c, v) => c.BucketStoreIgnoreDeletionMarksDelay = v),
    ];
}
