using MetricsCluster.Core.Metrics;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// The store-gateway's chunks cache (<c>-blocks-storage.bucket-store.chunks-cache.backend</c>): the raw bytes of one
/// chunk record (length, encoding, data, CRC32C) of a block's segment file, keyed by <see cref="ChunkCacheKey"/>.
/// Blocks are immutable, so an entry never goes stale; it leaves only by eviction (in memory) or expiry (memcached).
/// Readers check the CRC of every value they get, so a damaged entry is a miss, never a wrong answer. Counts, per
/// chunk, Thanos' caching-bucket metrics <c>thanos_store_bucket_cache_operation_requests_total</c> and
/// <c>..._hits_total</c> with <c>config="chunks"</c>, <c>operation="get_range"</c>. Implementations are thread-safe.
/// </summary>
public abstract class ChunksCache
{
    /// <summary>The <c>name</c> label of the backend metrics (Mimir's cache name).</summary>
    public const string Name = "chunks-cache";

    private readonly Counter _requests;
    private readonly Counter _hits;

    /// <summary>Initializes a new instance of the <see cref="ChunksCache"/> class.</summary>
    /// <param name="registry">Receives the metrics.</param>
    protected ChunksCache(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _requests = registry.Counter("thanos_store_bucket_cache_operation_requests_total", "Number of requested operations matching given config.", "operation", "config").WithLabels("get_range", "chunks");
        _hits = registry.Counter("thanos_store_bucket_cache_operation_hits_total", "Number of operations served from cache for given config.", "operation", "config").WithLabels("get_range", "chunks");
    }

    /// <summary>Looks up <paramref name="keys"/>; keys not in the result are misses.</summary>
    /// <param name="keys">The chunks wanted.</param>
    /// <param name="cancellationToken">Stops the lookup.</param>
    /// <returns>The cached chunk records found.</returns>
    public async Task<Dictionary<ChunkCacheKey, byte[]>> FetchAsync(IReadOnlyList<ChunkCacheKey> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var found = await FetchCoreAsync(keys, cancellationToken).ConfigureAwait(false);
        _requests.Add(keys.Count);
        _hits.Add(found.Count);
        return found;
    }

    /// <summary>Stores chunk records read from the bucket.</summary>
    /// <param name="items">Keys and raw chunk records.</param>
    /// <param name="cancellationToken">Stops the store.</param>
    /// <returns>A task that completes when the backend has taken them (or failed, which is ignored).</returns>
    public Task StoreAsync(IReadOnlyList<(ChunkCacheKey Key, byte[] Value)> items, CancellationToken cancellationToken) =>
        items.Count == 0 ? Task.CompletedTask : StoreCoreAsync(items, cancellationToken);

    /// <summary>Removes an entry found damaged, so the next read refetches it instead of failing its CRC again.</summary>
    /// <param name="key">The key.</param>
    public abstract void Invalidate(ChunkCacheKey key);

    /// <summary>The backend lookup.</summary>
    /// <param name="keys">The chunks wanted.</param>
    /// <param name="cancellationToken">Stops the lookup.</param>
    /// <returns>The entries found.</returns>
    protected abstract Task<Dictionary<ChunkCacheKey, byte[]>> FetchCoreAsync(IReadOnlyList<ChunkCacheKey> keys, CancellationToken cancellationToken);

    /// <summary>The backend store.</summary>
    /// <param name="items">Keys and values, at least one.</param>
    /// <param name="cancellationToken">Stops the store.</param>
    /// <returns>A task that completes when stored.</returns>
    protected abstract Task StoreCoreAsync(IReadOnlyList<(ChunkCacheKey Key, byte[] Value)> items, CancellationToken cancellationToken);
}
