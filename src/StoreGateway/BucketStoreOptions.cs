using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>Settings of the store-gateway's bucket stores (G5; Mimir <c>tsdb.BucketStoreConfig</c>).</summary>
public sealed class BucketStoreOptions
{
    /// <summary>The in-process chunks cache backend.</summary>
    public const string InMemoryBackend = "inmemory";

    /// <summary>The memcached chunks cache backend.</summary>
    public const string MemcachedBackend = "memcached";

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
    /// The chunks cache (<c>--blocks-storage.bucket-store.chunks-cache.backend</c>): <c>""</c> or <c>none</c> (no
    /// cache; <c>none</c> because a command line cannot pass an empty value as <c>--flag=</c>), <c>inmemory</c> or <c>memcached</c>. The default is <c>inmemory</c>, where Mimir's is none: Mimir runs
    /// store-gateways beside a memcached cluster, while one metrics-cluster process has none to lean on, and
    /// without a cache every query reads every chunk it needs from the bucket again.
    /// </summary>
    public string ChunksCacheBackend { get; set; } = InMemoryBackend;

    /// <summary>
    /// Size limit of the in-memory chunks cache (<c>--blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes</c>).
    /// 512 MiB: at about 1.3 bytes per sample it holds some 400M samples, a day of 100k series at 15 s with room,
    /// and with the 1 GiB index cache keeps a store-gateway's caches within 1.5 GiB.
    /// </summary>
    public long ChunksCacheMaxSizeBytes { get; set; } = 512L << 20;

    /// <summary>Memcached servers of the chunks cache, <c>host:port</c> (<c>--blocks-storage.bucket-store.chunks-cache.memcached.addresses</c>).</summary>
    public IReadOnlyList<string> ChunksCacheMemcachedAddresses { get; set; } = [];

    /// <summary>Time limit of one memcached request; past it the request is a miss (<c>--blocks-storage.bucket-store.chunks-cache.memcached.timeout</c>, 200ms).</summary>
    public TimeSpan ChunksCacheMemcachedTimeout { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Whether index-headers are loaded on first use and dropped when idle
    /// (<c>--blocks-storage.bucket-store.index-header.lazy-loading-enabled</c>, Mimir default true).
    /// </summary>
    public bool IndexHeaderLazyLoadingEnabled { get; set; } = true;

    /// <summary>
    /// A lazily loaded index-header unused for this long is dropped from memory
    /// (<c>--blocks-storage.bucket-store.index-header.lazy-loading-idle-timeout</c>, Mimir default 60m).
    /// </summary>
    public TimeSpan IndexHeaderLazyLoadingIdleTimeout { get; set; } = TimeSpan.FromMinutes(60);

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

        if (ChunksCacheBackend is not ("" or "none" or InMemoryBackend or MemcachedBackend))
        {
            throw new ArgumentException($"-blocks-storage.bucket-store.chunks-cache.backend: unsupported backend \"{ChunksCacheBackend}\" (supported: \"\" or none, {InMemoryBackend}, {MemcachedBackend})");
        }

        if (ChunksCacheMaxSizeBytes < 0)
        {
            throw new ArgumentException("-blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes must not be negative");
        }

        if (ChunksCacheBackend == MemcachedBackend && (ChunksCacheMemcachedAddresses.Count == 0 || ChunksCacheMemcachedAddresses.Any(a => a.LastIndexOf(':') <= 0 || !int.TryParse(a[(a.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture, out _))))
        {
            throw new ArgumentException("-blocks-storage.bucket-store.chunks-cache.memcached.addresses must list host:port addresses when the chunks cache backend is memcached");
        }

        if (ChunksCacheMemcachedTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("-blocks-storage.bucket-store.chunks-cache.memcached.timeout must be positive");
        }

        if (IndexHeaderLazyLoadingIdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("-blocks-storage.bucket-store.index-header.lazy-loading-idle-timeout must be positive");
        }

        if (PartitionerMaxGapBytes < 0 || SeriesSizeEstimateBytes < 16 || ChunkSizeEstimateBytes < 16)
        {
            throw new ArgumentException("the partitioner gap must not be negative and the series and chunk size estimates must be at least 16 bytes");
        }
    }
}
