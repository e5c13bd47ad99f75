using MetricsCluster.Core.Caching;
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
    private readonly SizeBoundedLru<string, IReadOnlyList<Extent>> _lru;

    /// <summary>Creates a cache holding at most <paramref name="maxSizeBytes"/> (estimated).</summary>
    public InMemoryResultsCache(long maxSizeBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSizeBytes, 1);
        _lru = new SizeBoundedLru<string, IReadOnlyList<Extent>>(maxSizeBytes, comparer: StringComparer.Ordinal);
    }

    /// <summary>The estimated bytes held now.</summary>
    public long SizeBytes => _lru.SizeBytes;

    /// <summary>The number of keys held now.</summary>
    public int Count => _lru.Count;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Extent>?> GetAsync(string key, CancellationToken cancellationToken) => ValueTask.FromResult(Get(key));

    /// <inheritdoc/>
    public ValueTask SetAsync(string key, IReadOnlyList<Extent> extents, CancellationToken cancellationToken)
    {
        Set(key, extents);
        return ValueTask.CompletedTask;
    }

    /// <summary>The extents stored under <paramref name="key"/>, or null; a hit makes the key the most recently used.</summary>
    public IReadOnlyList<Extent>? Get(string key) => _lru.TryGet(key, out var extents) ? extents : null;

    /// <summary>
    /// Replaces the extents under <paramref name="key"/>, evicting the least recently used past the bound; extents
    /// larger than the bound alone are not stored (and the old ones are gone).
    /// </summary>
    public void Set(string key, IReadOnlyList<Extent> extents)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(extents);

        // Keys are UTF-16 strings; the extents estimate themselves.
        long size = 64 + (2L * key.Length) + extents.Sum(e => e.SizeBytes);
        _lru.Add(key, extents, size, replace: true);
    }
}
