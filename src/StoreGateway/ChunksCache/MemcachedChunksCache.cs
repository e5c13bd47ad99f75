using MetricsCluster.Core.Caching;
using MetricsCluster.Core.Metrics;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// The chunks cache in memcached (<c>-blocks-storage.bucket-store.chunks-cache.backend=memcached</c>), through the
/// shared <see cref="MemcachedClient"/>: one multi-key <c>get</c> per server per block read, pipelined <c>set</c>s.
/// Entries live <see cref="Ttl"/> (Mimir's chunk subrange TTL, 24h). An unreachable or slow memcached
/// (<c>...memcached.timeout</c>) is a miss: the query reads the bucket. Metrics with <c>name="chunks-cache"</c>:
/// Thanos' <c>thanos_cache_memcached_requests_total</c>, <c>..._hits_total</c> and
/// <c>thanos_memcached_operation_failures_total</c>.
/// </summary>
public sealed class MemcachedChunksCache : ChunksCache, IAsyncDisposable
{
    /// <summary>How long memcached keeps a chunk (Mimir <c>chunks_cache.subrange_ttl</c>).</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromHours(24);

    private readonly MemcachedClient _client;
    private readonly Counter _requests;
    private readonly Counter _hits;

    /// <summary>Initializes a new instance of the <see cref="MemcachedChunksCache"/> class.</summary>
    /// <param name="addresses">Memcached servers, <c>host:port</c>.</param>
    /// <param name="timeout">Time limit of one request.</param>
    /// <param name="registry">Receives the metrics.</param>
    public MemcachedChunksCache(IReadOnlyList<string> addresses, TimeSpan timeout, MetricsRegistry registry)
        : base(registry)
    {
        _client = new MemcachedClient(addresses, timeout);
        _requests = registry.Counter("thanos_cache_memcached_requests_total", "Total number of items requests to memcached.", "name").WithLabels(Name);
        _hits = registry.Counter("thanos_cache_memcached_hits_total", "Total number of items requests to the cache that were a hit.", "name").WithLabels(Name);
        registry.CounterCallback("thanos_memcached_operation_failures_total", "Total number of operations against memcached that failed.", () => [([Name], _client.Errors)], "name");
    }

    /// <summary>Gets the number of memcached requests that failed.</summary>
    public long Errors => _client.Errors;

    /// <inheritdoc/>
    public override void Invalidate(ChunkCacheKey key)
    {
        // A damaged value in memcached is overwritten by the store that follows the refetch.
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _client.DisposeAsync();

    /// <inheritdoc/>
    protected override async Task<Dictionary<ChunkCacheKey, byte[]>> FetchCoreAsync(IReadOnlyList<ChunkCacheKey> keys, CancellationToken cancellationToken)
    {
        var byString = keys.Distinct().ToDictionary(k => k.ToString(), k => k, StringComparer.Ordinal);
        var values = await _client.GetMultiAsync(byString.Keys, cancellationToken).ConfigureAwait(false);
        _requests.Add(keys.Count);
        _hits.Add(values.Count);
        return values.Where(v => byString.ContainsKey(v.Key)).ToDictionary(v => byString[v.Key], v => v.Value);
    }

    /// <inheritdoc/>
    protected override Task StoreCoreAsync(IReadOnlyList<(ChunkCacheKey Key, byte[] Value)> items, CancellationToken cancellationToken) =>
        _client.SetMultiAsync([.. items.Select(i => (i.Key.ToString(), i.Value))], Ttl, cancellationToken);
}
