using MetricsCluster.Core.Caching;
using MetricsCluster.Core.Metrics;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// The in-process chunks cache (<c>-blocks-storage.bucket-store.chunks-cache.backend=inmemory</c>): a
/// least-recently-used map bounded by <c>...chunks-cache.inmemory.max-size-bytes</c>, each entry charged its value
/// plus <see cref="EntryOverhead"/> bytes. Metrics are Thanos' in-memory cache's, labelled <c>name="chunks-cache"</c>:
/// <c>thanos_cache_inmemory_requests_total</c>, <c>..._hits_total</c>, <c>..._items_added_total</c>,
/// <c>..._items_evicted_total</c>, <c>..._items_overflowed_total</c>, <c>..._items</c>,
/// <c>..._items_size_bytes</c> and <c>..._max_size_bytes</c>. One lock; the work under it is a dictionary and
/// list update per key.
/// </summary>
public sealed class InMemoryChunksCache : ChunksCache
{
    /// <summary>
    /// Bytes charged per entry beyond the value: the key (tenant reference, ULID, ref), the list node and the
    /// dictionary slot, about 100 bytes on 64-bit .NET.
    /// </summary>
    public const int EntryOverhead = 100;

    private readonly SizeBoundedLru<ChunkCacheKey, byte[]> _lru;
    private readonly Counter _requests;
    private readonly Counter _hits;
    private readonly Counter _added;
    private readonly Counter _evicted;
    private readonly Counter _overflowed;
    private readonly Gauge _count;
    private readonly Gauge _bytes;

    /// <summary>Initializes a new instance of the <see cref="InMemoryChunksCache"/> class.</summary>
    /// <param name="maxSizeBytes">The most bytes (values plus per-entry overhead) held at once.</param>
    /// <param name="registry">Receives the metrics.</param>
    public InMemoryChunksCache(long maxSizeBytes, MetricsRegistry registry)
        : base(registry)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSizeBytes);
        _requests = registry.Counter("thanos_cache_inmemory_requests_total", "Total number of requests to the cache.", "name").WithLabels(Name);
        _hits = registry.Counter("thanos_cache_inmemory_hits_total", "Total number of requests to the cache that were a hit.", "name").WithLabels(Name);
        _added = registry.Counter("thanos_cache_inmemory_items_added_total", "Total number of items that were added to the cache.", "name").WithLabels(Name);
        _evicted = registry.Counter("thanos_cache_inmemory_items_evicted_total", "Total number of items that were evicted from the cache.", "name").WithLabels(Name);
        _overflowed = registry.Counter("thanos_cache_inmemory_items_overflowed_total", "Total number of items that could not be added to the cache due to being too big.", "name").WithLabels(Name);
        _count = registry.Gauge("thanos_cache_inmemory_items", "Current number of items in the cache.", "name").WithLabels(Name);
        _bytes = registry.Gauge("thanos_cache_inmemory_items_size_bytes", "Current byte size of items in the cache, including per-item overhead.", "name").WithLabels(Name);
        registry.Gauge("thanos_cache_inmemory_max_size_bytes", "Maximum number of bytes to be held in the cache.", "name").WithLabels(Name).Set(maxSizeBytes);
        _lru = new SizeBoundedLru<ChunkCacheKey, byte[]>(maxSizeBytes, (_, _, size) =>
        {
            _evicted.Inc();
            _count.Add(-1);
            _bytes.Add(-size);
        });
    }

    /// <summary>Gets the size limit in bytes.</summary>
    public long MaxSizeBytes => _lru.MaxSizeBytes;

    /// <summary>Gets the bytes held now (values plus per-entry overhead).</summary>
    public long SizeBytes => _lru.SizeBytes;

    /// <summary>Gets the number of entries held now.</summary>
    public int Count => _lru.Count;

    /// <inheritdoc/>
    public override void Invalidate(ChunkCacheKey key)
    {
        if (_lru.Remove(key, out long size))
        {
            _count.Add(-1);
            _bytes.Add(-size);
        }
    }

    /// <inheritdoc/>
    protected override Task<Dictionary<ChunkCacheKey, byte[]>> FetchCoreAsync(IReadOnlyList<ChunkCacheKey> keys, CancellationToken cancellationToken)
    {
        var found = new Dictionary<ChunkCacheKey, byte[]>();
        foreach (var key in keys)
        {
            if (_lru.TryGet(key, out var value))
            {
                found[key] = value;
            }
        }

        _requests.Add(keys.Count);
        _hits.Add(found.Count);
        return Task.FromResult(found);
    }

    /// <inheritdoc/>
    protected override Task StoreCoreAsync(IReadOnlyList<(ChunkCacheKey Key, byte[] Value)> items, CancellationToken cancellationToken)
    {
        foreach (var (key, value) in items)
        {
            long size = value.LongLength + EntryOverhead;
            switch (_lru.Add(key, value, size))
            {
                case LruAddResult.Added:
                    _added.Inc();
                    _count.Add(1);
                    _bytes.Add(size);
                    break;
                case LruAddResult.Overflowed:
                    // It would evict everything and still not fit (Thanos' "overflowed").
                    _overflowed.Inc();
                    break;
            }
        }

        return Task.CompletedTask;
    }
}
