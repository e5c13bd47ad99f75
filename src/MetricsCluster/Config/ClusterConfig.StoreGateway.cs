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

    /// <summary>Store-gateway chunks cache backend: "", inmemory or memcached (<c>--blocks-storage.bucket-store.chunks-cache.backend</c>).</summary>
    public string BucketStoreChunksCacheBackend { get; set; } = StoreGateway.BucketStoreOptions.InMemoryBackend;

    /// <summary>In-memory chunks cache limit (<c>--blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes</c>).</summary>
    public long BucketStoreChunksCacheMaxSizeBytes { get; set; } = 512L << 20;

    /// <summary>Comma-separated memcached addresses of the chunks cache (<c>--blocks-storage.bucket-store.chunks-cache.memcached.addresses</c>).</summary>
    public string BucketStoreChunksCacheMemcachedAddresses { get; set; } = string.Empty;

    /// <summary>Time limit of one chunks cache memcached request (<c>--blocks-storage.bucket-store.chunks-cache.memcached.timeout</c>).</summary>
    public TimeSpan BucketStoreChunksCacheMemcachedTimeout { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Whether index-headers load on first use and drop when idle (<c>--blocks-storage.bucket-store.index-header.lazy-loading-enabled</c>).</summary>
    public bool BucketStoreIndexHeaderLazyLoadingEnabled { get; set; } = true;

    /// <summary>Idle time after which a lazily loaded index-header is dropped (<c>--blocks-storage.bucket-store.index-header.lazy-loading-idle-timeout</c>).</summary>
    public TimeSpan BucketStoreIndexHeaderLazyLoadingIdleTimeout { get; set; } = TimeSpan.FromMinutes(60);

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
        ChunksCacheBackend = BucketStoreChunksCacheBackend,
        ChunksCacheMaxSizeBytes = BucketStoreChunksCacheMaxSizeBytes,
        ChunksCacheMemcachedAddresses = BucketStoreChunksCacheMemcachedAddresses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        ChunksCacheMemcachedTimeout = BucketStoreChunksCacheMemcachedTimeout,
        IndexHeaderLazyLoadingEnabled = BucketStoreIndexHeaderLazyLoadingEnabled,
        IndexHeaderLazyLoadingIdleTimeout = BucketStoreIndexHeaderLazyLoadingIdleTimeout,
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
        ConfigOption.Str("blocks-storage.bucket-store.chunks-cache.backend", "Store-gateway chunks cache: none (or \"\" in YAML), inmemory or memcached.", c => c.BucketStoreChunksCacheBackend, (c, v) => c.BucketStoreChunksCacheBackend = v),
        ConfigOption.Long("blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes", "Size limit of the store-gateway's in-memory chunks cache.", c => c.BucketStoreChunksCacheMaxSizeBytes, (c, v) => c.BucketStoreChunksCacheMaxSizeBytes = v),
        ConfigOption.Str("blocks-storage.bucket-store.chunks-cache.memcached.addresses", "Comma-separated memcached host:port addresses of the chunks cache.", c => c.BucketStoreChunksCacheMemcachedAddresses, (c, v) => c.BucketStoreChunksCacheMemcachedAddresses = v),
        ConfigOption.Dur("blocks-storage.bucket-store.chunks-cache.memcached.timeout", "Time limit of one chunks cache memcached request; past it the request is a cache miss.", c => c.BucketStoreChunksCacheMemcachedTimeout, (c, v) => c.BucketStoreChunksCacheMemcachedTimeout = v),
        ConfigOption.Bool("blocks-storage.bucket-store.index-header.lazy-loading-enabled", "Load a block's index-header into memory on first use and drop it when idle.", c => c.BucketStoreIndexHeaderLazyLoadingEnabled, (c, v) => c.BucketStoreIndexHeaderLazyLoadingEnabled = v),
        ConfigOption.Dur("blocks-storage.bucket-store.index-header.lazy-loading-idle-timeout", "A lazily loaded index-header unused for this long is dropped from memory.", c => c.BucketStoreIndexHeaderLazyLoadingIdleTimeout, (c, v) => c.BucketStoreIndexHeaderLazyLoadingIdleTimeout = v),
        ConfigOption.Dur("blocks-storage.bucket-store.bucket-index.max-stale-period", "Queries fail when a tenant's bucket index was not updated for longer than this (the compactor updates it).", c => c.BucketIndexMaxStalePeriod, (c, v) => c.BucketIndexMaxStalePeriod = v),
        ConfigOption.Dur("blocks-storage.bucket-store.ignore-deletion-marks-delay", "The store-gateway stops serving a block once its deletion mark is older than this.", c => c.BucketStoreIgnoreDeletionMarksDelay, (c, v) => c.BucketStoreIgnoreDeletionMarksDelay = v),
    ];
}
