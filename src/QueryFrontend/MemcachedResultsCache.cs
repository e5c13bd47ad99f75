using System.Buffers;
using System.Globalization;
using System.Text;
using MetricsCluster.Core.Caching;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// An <see cref="IResultsCache"/> in memcached (<c>-query-frontend.results-cache.backend=memcached</c>), through the
/// shared <see cref="MemcachedClient"/> (src/Core/Caching). Keys are Mimir's: the hex FNV-1a 64 of the long key (memcached keys are short and
/// printable); the long key is stored in the value (<see cref="ExtentCodec"/>) so a collision reads as a miss.
/// Entries live <c>ttl</c> (Mimir's <c>results_cache_ttl</c>, 7d). Any failure (unreachable, timeout, a value over
/// memcached's item size) is a miss or a dropped write, and the connection is opened again on the next request.
/// </summary>
public sealed class MemcachedResultsCache : IResultsCache, IAsyncDisposable
{
    private readonly MemcachedClient _client;
    private readonly TimeSpan _ttl;

    /// <summary>Creates a client of <paramref name="addresses"/> (<c>host:port</c>, at least one).</summary>
    public MemcachedResultsCache(IReadOnlyList<string> addresses, TimeSpan timeout, TimeSpan ttl)
    {
        _client = new MemcachedClient(addresses, timeout);
        _ttl = ttl;
    }

    /// <summary>Requests that failed (and were treated as misses or dropped writes).</summary>
    public long Errors => _client.Errors;

    /// <summary>Mimir's <c>cacheHashKey</c>: FNV-1a 64 of the key, in hex.</summary>
    public static string HashKey(string key)
    {
        ulong h = 14695981039346656037;
        foreach (byte b in Encoding.UTF8.GetBytes(key))
        {
            h ^= b;
            h *= 1099511628211;
        }

        return h.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<Extent>?> GetAsync(string key, CancellationToken cancellationToken)
    {
        byte[]? value = await _client.GetAsync(HashKey(key), cancellationToken);
        return value is not null && ExtentCodec.TryDecode(value, key, out var extents) ? extents : null;
    }

    /// <inheritdoc/>
    public async ValueTask SetAsync(string key, IReadOnlyList<Extent> extents, CancellationToken cancellationToken)
    {
        var buf = new ArrayBufferWriter<byte>();
        ExtentCodec.Encode(key, extents, buf);
        await _client.SetAsync(HashKey(key), buf.WrittenSpan.ToArray(), _ttl, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
