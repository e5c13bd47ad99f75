using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// The answer of one sub-query for the steps from <paramref name="Start"/> to <paramref name="End"/> (both steps of
/// the query's grid), as the results cache keeps it (Mimir's <c>Extent</c>).
/// </summary>
/// <param name="Start">First step (ms).</param>
/// <param name="End">Last step (ms).</param>
/// <param name="Series">The matrix, sorted by labels.</param>
public sealed record Extent(long Start, long End, IReadOnlyList<Series> Series)
{
    /// <summary>An estimate of the memory held: labels, 16 bytes a point, and per-object overheads.</summary>
    public long SizeBytes => 48 + Series.Sum(s => 64L + s.Metric.Bytes.Length + (16L * s.Floats.Count));
}

/// <summary>
/// Where the results cache keeps extents (G3: the frontend's seam; in process or memcached). Thread-safe. A cache
/// failure is a miss: queries never fail because of the cache.
/// </summary>
public interface IResultsCache
{
    /// <summary>The extents stored under <paramref name="key"/>, or null (also when the cache cannot be reached).</summary>
    ValueTask<IReadOnlyList<Extent>?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Replaces the extents under <paramref name="key"/>; a cache that cannot be reached drops them.</summary>
    ValueTask SetAsync(string key, IReadOnlyList<Extent> extents, CancellationToken cancellationToken);
}

/// <summary>
/// An in-process <see cref="IResultsCache"/> bounded in bytes: the least recently used keys are evicted once the
/// estimated size passes the bound; a single entry larger than the bound is not stored.
/// </summary>
public sealed class InMemoryResultsCache : IResultsCache
{
    private readonly long _maxSizeBytes;
    private readonly Dictionary<string, LinkedListNode<(string Key, IReadOnlyList<Extent> Extents, long Size)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, IReadOnlyList<Extent> Extents, long Size)> _lru = [];
    private long _sizeBytes;

    /// <summary>Creates a cache holding at most <paramref name="maxSizeBytes"/> (estimated).</summary>
    public InMemoryResultsCache(long maxSizeBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSizeBytes, 1);
        _maxSizeBytes = maxSizeBytes;
    }

    /// <summary>The estimated bytes held now.</summary>
    public long SizeBytes
    {
        get
        {
            lock (_lru)
            {
                return _sizeBytes;
            }
        }
    }

    /// <summary>The number of keys held now.</summary>
    public int Count
    {
        get
        {
            lock (_lru)
            {
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Extent>?> GetAsync(string key, CancellationToken cancellationToken) => ValueTask.FromResult(Get(key));

    /// <inheritdoc/>
    public ValueTask SetAsync(string key, IReadOnlyList<Extent> extents, CancellationToken cancellationToken)
    {
        Set(key, extents);
        return ValueTask.CompletedTask;
    }

    /// <summary>The extents stored under <paramref name="key"/>, or null; a hit makes the key the most recently used.</summary>
    public IReadOnlyList<Extent>? Get(string key)
    {
        lock (_lru)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return null;
            }

            _lru.Remove(node);
            _lru.AddFirst(node);
            return node.Value.Extents;
        }
    }

    /// <summary>Replaces the extents under <paramref name="key"/>, evicting the least recently used past the bound.</summary>
    public void Set(string key, IReadOnlyList<Extent> extents)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(extents);

        // Keys are UTF-16 strings; the extents estimate themselves.
        long size = 64 + (2L * key.Length) + extents.Sum(e => e.SizeBytes);
        lock (_lru)
        {
            if (_entries.Remove(key, out var old))
            {
                _lru.Remove(old);
                _sizeBytes -= old.Value.Size;
            }

            if (size > _maxSizeBytes)
            {
                return;
            }

            _entries[key] = _lru.AddFirst((key, extents, size));
            _sizeBytes += size;
            while (_sizeBytes > _maxSizeBytes && _lru.Last is { } oldest)
            {
                _lru.RemoveLast();
                _entries.Remove(oldest.Value.Key);
                _sizeBytes -= oldest.Value.Size;
            }
        }
    }
}
