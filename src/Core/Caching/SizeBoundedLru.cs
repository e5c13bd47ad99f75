namespace MetricsCluster.Core.Caching;

/// <summary>What <see cref="SizeBoundedLru{TKey, TValue}.Add"/> did.</summary>
public enum LruAddResult
{
    /// <summary>Stored (after evicting the least recently used entries that had to go).</summary>
    Added,

    /// <summary>Not stored: the key was there and replacing was not asked for.</summary>
    Present,

    /// <summary>Not stored: the entry alone is larger than the bound (caching it would evict everything and still not fit).</summary>
    Overflowed,
}

/// <summary>
/// A map bounded by the summed sizes its callers give the entries, evicting the least recently used first: the one
/// primitive behind the store-gateway's index and chunks caches and the query-frontend's in-process results cache.
/// Thread-safe with one lock; the work under it is a dictionary and a list update per key, and the eviction callback,
/// which must be cheap (the caches count metrics there).
/// </summary>
/// <typeparam name="TKey">The key.</typeparam>
/// <typeparam name="TValue">The value.</typeparam>
public sealed class SizeBoundedLru<TKey, TValue>
    where TKey : notnull
{
    private readonly object _lock = new();
    private readonly Dictionary<TKey, LinkedListNode<Entry>> _items;
    private readonly LinkedList<Entry> _lru = new();
    private readonly Action<TKey, TValue, long>? _onEvicted;
    private long _sizeBytes;

    /// <summary>Initializes a new instance of the <see cref="SizeBoundedLru{TKey, TValue}"/> class.</summary>
    /// <param name="maxSizeBytes">The most the entries' sizes may sum to.</param>
    /// <param name="onEvicted">Called (under the lock) for each entry evicted to make room; not for removals or replacements.</param>
    /// <param name="comparer">Key comparer; the default one when null.</param>
    public SizeBoundedLru(long maxSizeBytes, Action<TKey, TValue, long>? onEvicted = null, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSizeBytes);
        MaxSizeBytes = maxSizeBytes;
        _onEvicted = onEvicted;
        _items = new Dictionary<TKey, LinkedListNode<Entry>>(comparer);
    }

    /// <summary>Gets the bound.</summary>
    public long MaxSizeBytes { get; }

    /// <summary>Gets the summed sizes of the entries held now.</summary>
    public long SizeBytes
    {
        get
        {
            lock (_lock)
            {
                return _sizeBytes;
            }
        }
    }

    /// <summary>Gets the number of entries held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Looks <paramref name="key"/> up; a hit becomes the most recently used entry.</summary>
    public bool TryGet(TKey key, out TValue value)
    {
        lock (_lock)
        {
            if (_items.TryGetValue(key, out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = default!;
        return false;
    }

    /// <summary>
    /// Stores <paramref name="value"/> of <paramref name="size"/> bytes under <paramref name="key"/> as the most recently
    /// used entry, evicting the least recently used ones past the bound. With <paramref name="replace"/>, an entry
    /// already under the key is removed first (even when the new one then overflows); without it, the old one stays.
    /// </summary>
    public LruAddResult Add(TKey key, TValue value, long size, bool replace = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        lock (_lock)
        {
            if (_items.TryGetValue(key, out var old))
            {
                if (!replace)
                {
                    return LruAddResult.Present;
                }

                Unlink(old);
            }

            if (size > MaxSizeBytes)
            {
                return LruAddResult.Overflowed;
            }

            while (_sizeBytes + size > MaxSizeBytes && _lru.Last is { } oldest)
            {
                Unlink(oldest);
                _onEvicted?.Invoke(oldest.Value.Key, oldest.Value.Value, oldest.Value.Size);
            }

            _items[key] = _lru.AddFirst(new Entry(key, value, size));
            _sizeBytes += size;
            return LruAddResult.Added;
        }
    }

    /// <summary>Removes <paramref name="key"/>; its size is returned so callers can keep their gauges.</summary>
    public bool Remove(TKey key, out long size)
    {
        lock (_lock)
        {
            if (_items.TryGetValue(key, out var node))
            {
                Unlink(node);
                size = node.Value.Size;
                return true;
            }
        }

        size = 0;
        return false;
    }

    private void Unlink(LinkedListNode<Entry> node)
    {
        _lru.Remove(node);
        _items.Remove(node.Value.Key);
        _sizeBytes -= node.Value.Size;
    }

    private readonly record struct Entry(TKey Key, TValue Value, long Size);
}
