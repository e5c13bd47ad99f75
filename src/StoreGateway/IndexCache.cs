using MetricsCluster.Core.Caching;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// The store-gateway's in-memory index cache (Mimir <c>indexcache.InMemoryIndexCache</c>): raw postings lists and
/// series entries read from block indexes, and the expanded postings of a block's matcher set (the series refs
/// they select, Mimir's <c>ExpandedPostings</c>, so a repeated query neither decodes nor intersects lists again),
/// keyed by tenant, block and item, bounded by
/// <see cref="BucketStoreOptions.IndexCacheMaxSizeBytes"/> with least-recently-used eviction. Metrics carry
/// Mimir's names, labelled <c>item_type</c> = <c>Postings</c> | <c>Series</c> | <c>ExpandedPostings</c>: requests, hits (misses are
/// requests − hits), items added, evicted and overflowed (too big to ever fit), items, item bytes and total bytes.
/// Thread-safe (one lock; the work under it is a dictionary and list update).
/// </summary>
public sealed class IndexCache
{
    /// <summary>The <c>item_type</c> label of postings lists.</summary>
    public const string Postings = "Postings";

    /// <summary>The <c>item_type</c> label of series entries.</summary>
    public const string Series = "Series";

    /// <summary>The <c>item_type</c> label of expanded postings.</summary>
    public const string ExpandedPostings = "ExpandedPostings";

    // Bookkeeping per entry beyond the value bytes: key fields, list node, dictionary slot (an estimate, as Mimir's).
    private const int EntryOverhead = 96;

    private readonly SizeBoundedLru<Key, byte[]> _lru;
    private readonly ItemMetrics _postings;
    private readonly ItemMetrics _series;
    private readonly ItemMetrics _expanded;

    /// <summary>Initializes a new instance of the <see cref="IndexCache"/> class.</summary>
    /// <param name="maxSizeBytes">The most bytes (values plus per-entry overhead) held at once.</param>
    /// <param name="registry">Where the metrics are registered.</param>
    public IndexCache(long maxSizeBytes, MetricsRegistry registry)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSizeBytes);
        ArgumentNullException.ThrowIfNull(registry);
        _lru = new SizeBoundedLru<Key, byte[]>(maxSizeBytes, (key, _, size) =>
        {
            var m = MetricsOf(key);
            m.Evicted.Inc();
            m.Resize(-1, -size);
        });
        _postings = new ItemMetrics(registry, Postings);
        _series = new ItemMetrics(registry, Series);
        _expanded = new ItemMetrics(registry, ExpandedPostings);
        registry.Gauge("thanos_store_index_cache_max_size_bytes", "Maximum number of bytes to be held in the index cache.").WithLabels().Set(maxSizeBytes);
    }

    /// <summary>Gets the size limit in bytes.</summary>
    public long MaxSizeBytes => _lru.MaxSizeBytes;

    /// <summary>Gets the bytes held now (values plus per-entry overhead).</summary>
    public long SizeBytes => _lru.SizeBytes;

    /// <summary>Gets the number of items held now.</summary>
    public int Count => _lru.Count;

    /// <summary>Looks up the raw postings list of <paramref name="name"/>=<paramref name="value"/> in a block.</summary>
    public bool TryGetPostings(string tenant, Ulid block, string name, string value, out byte[] list) =>
        TryGet(new Key(tenant, block, 0, name, value), _postings, out list);

    /// <summary>Stores the raw postings list of <paramref name="name"/>=<paramref name="value"/> in a block.</summary>
    public void StorePostings(string tenant, Ulid block, string name, string value, byte[] list) =>
        Store(new Key(tenant, block, 0, name, value), list, _postings);

    /// <summary>Looks up the raw series entry <paramref name="seriesRef"/> of a block.</summary>
    public bool TryGetSeries(string tenant, Ulid block, ulong seriesRef, out byte[] entry) =>
        TryGet(new Key(tenant, block, seriesRef, null, null), _series, out entry);

    /// <summary>Stores the raw series entry <paramref name="seriesRef"/> of a block.</summary>
    public void StoreSeries(string tenant, Ulid block, ulong seriesRef, byte[] entry) =>
        Store(new Key(tenant, block, seriesRef, null, null), entry, _series);

    /// <summary>Looks up the series refs a block's matcher set selected (<paramref name="matchers"/>: their canonical text).</summary>
    public bool TryGetExpandedPostings(string tenant, Ulid block, string matchers, out ulong[] refs)
    {
        if (!TryGet(new Key(tenant, block, 0, null, matchers), _expanded, out byte[] raw))
        {
            refs = [];
            return false;
        }

        // Refs are below 2^32 (a ref is an index offset / 16 and offsets are checked to fit), so 4 bytes each.
        var packed = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(raw);
        refs = new ulong[packed.Length];
        for (int i = 0; i < packed.Length; i++)
        {
            refs[i] = packed[i];
        }

        return true;
    }

    /// <summary>Stores the series refs a block's matcher set selected.</summary>
    public void StoreExpandedPostings(string tenant, Ulid block, string matchers, ulong[] refs)
    {
        byte[] raw = new byte[refs.Length * 4];
        var packed = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(raw.AsSpan());
        for (int i = 0; i < refs.Length; i++)
        {
            packed[i] = checked((uint)refs[i]);
        }

        Store(new Key(tenant, block, 0, null, matchers), raw, _expanded);
    }

    private static long SizeOf(Key key, byte[] value) =>
        value.LongLength + EntryOverhead + (2L * ((key.Name?.Length ?? 0) + (key.Value?.Length ?? 0) + key.Tenant.Length));

    private bool TryGet(Key key, ItemMetrics m, out byte[] value)
    {
        m.Requests.Inc();
        if (_lru.TryGet(key, out value))
        {
            m.Hits.Inc();
            return true;
        }

        value = [];
        return false;
    }

    private void Store(Key key, byte[] value, ItemMetrics m)
    {
        long size = SizeOf(key, value);
        switch (_lru.Add(key, value, size))
        {
            case LruAddResult.Added:
                m.Added.Inc();
                m.Resize(+1, size);
                break;
            case LruAddResult.Overflowed:
                // Caching it would evict everything and still not fit (Mimir's "overflowed").
                m.Overflowed.Inc();
                break;
        }
    }

    private ItemMetrics MetricsOf(Key k) => k.Name is not null ? _postings : k.Value is null ? _series : _expanded;

    /// <summary>A cache key: series entries have no name/value, postings lists no ref, expanded postings only a value (the matchers).</summary>
    private readonly record struct Key(string Tenant, Ulid Block, ulong Ref, string? Name, string? Value);

    /// <summary>The metric children of one item type, created at construction so they export zeros (G6).</summary>
    private sealed class ItemMetrics
    {
        public ItemMetrics(MetricsRegistry r, string type)
        {
            Requests = r.Counter("thanos_store_index_cache_requests_total", "Total number of requests to the cache.", "item_type").WithLabels(type);
            Hits = r.Counter("thanos_store_index_cache_hits_total", "Total number of requests to the cache that were a hit.", "item_type").WithLabels(type);
            Added = r.Counter("thanos_store_index_cache_items_added_total", "Total number of items that were added to the index cache.", "item_type").WithLabels(type);
            Evicted = r.Counter("thanos_store_index_cache_items_evicted_total", "Total number of items that were evicted from the index cache.", "item_type").WithLabels(type);
            Overflowed = r.Counter("thanos_store_index_cache_items_overflowed_total", "Total number of items that could not be added to the cache due to being too big.", "item_type").WithLabels(type);
            Items = r.Gauge("thanos_store_index_cache_items", "Current number of items in the index cache.", "item_type").WithLabels(type);
            Bytes = r.Gauge("thanos_store_index_cache_total_size_bytes", "Current byte size of items in the index cache, including per-item overhead.", "item_type").WithLabels(type);
        }

        public Counter Requests { get; }

        public Counter Hits { get; }

        public Counter Added { get; }

        public Counter Evicted { get; }

        public Counter Overflowed { get; }

        public Gauge Items { get; }

        public Gauge Bytes { get; }

        public void Resize(int items, long bytes)
        {
            Items.Add(items);
            Bytes.Add(bytes);
        }
    }
}
