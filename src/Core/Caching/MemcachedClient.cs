using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MetricsCluster.Core.Caching;

/// <summary>
/// A client of one or more memcached servers over memcached's text protocol, shared by the query-frontend's results
/// cache and the store-gateway's chunks cache. Keys go to servers by their FNV-1a 64 hash. Any failure (unreachable,
/// timeout, a protocol error, a value over memcached's item size) is counted in <see cref="Errors"/> and reads as a
/// miss or a dropped write: a cache must never fail the request it speeds up. The connection is opened again on the
/// next request. One connection per server, used by one request at a time; a multi-key get is one request per server.
/// </summary>
public sealed class MemcachedClient : IAsyncDisposable
{
    /// <summary>Memcached's limit on a key's length.</summary>
    public const int MaxKeyLength = 250;

    private readonly MemcachedConnection[] _connections;
    private readonly TimeSpan _timeout;
    private long _errors;

    /// <summary>Creates a client of <paramref name="addresses"/> (<c>host:port</c>, at least one).</summary>
    /// <param name="addresses">The servers.</param>
    /// <param name="timeout">Time limit of one request; past it the request counts as failed.</param>
    public MemcachedClient(IReadOnlyList<string> addresses, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentOutOfRangeException.ThrowIfZero(addresses.Count);
        _connections = [.. addresses.Select(a => new MemcachedConnection(a))];
        _timeout = timeout;
    }

    /// <summary>Gets the number of requests that failed (and were treated as misses or dropped writes).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Reads one key; null on a miss or a failure.</summary>
    /// <param name="key">A memcached key: printable ASCII without spaces, at most <see cref="MaxKeyLength"/> bytes.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <returns>The value, or null.</returns>
    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var found = await GetMultiAsync([key], cancellationToken).ConfigureAwait(false);
        return found.TryGetValue(key, out byte[]? value) ? value : null;
    }

    /// <summary>Reads many keys with one request per server; keys missing from the result were misses or failed.</summary>
    /// <param name="keys">Memcached keys.</param>
    /// <param name="cancellationToken">Stops the requests.</param>
    /// <returns>The values found.</returns>
    public async Task<Dictionary<string, byte[]>> GetMultiAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var byServer = keys.Distinct(StringComparer.Ordinal).GroupBy(ServerOf);
        var replies = await Task.WhenAll(byServer.Select(g => RunAsync(g.Key, (c, ct) => c.GetMultiAsync([.. g], ct), cancellationToken))).ConfigureAwait(false);
        foreach (var reply in replies)
        {
            foreach (var (key, value) in reply ?? [])
            {
                result[key] = value;
            }
        }

        return result;
    }

    /// <summary>Stores one key for <paramref name="ttl"/>; a failure is counted and otherwise ignored.</summary>
    /// <param name="key">A memcached key.</param>
    /// <param name="value">The value.</param>
    /// <param name="ttl">How long memcached keeps it (at most 30 days, past which memcached reads it as a Unix time).</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <returns>A task that completes when memcached has answered or the request failed.</returns>
    public Task SetAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken) =>
        SetMultiAsync([(key, value)], ttl, cancellationToken);

    /// <summary>Stores many keys, pipelined: per server all <c>set</c> commands are written, then all replies read.</summary>
    /// <param name="items">Keys and values.</param>
    /// <param name="ttl">How long memcached keeps them.</param>
    /// <param name="cancellationToken">Stops the requests.</param>
    /// <returns>A task that completes when every server has answered or failed.</returns>
    public async Task SetMultiAsync(IReadOnlyCollection<(string Key, byte[] Value)> items, TimeSpan ttl, CancellationToken cancellationToken)
    {
        // Memcached reads an expiry over 30 days as an absolute Unix time.
        long ttlSeconds = (long)Math.Clamp(ttl.TotalSeconds, 1, 30 * 86_400);
        var refused = await Task.WhenAll(items.GroupBy(i => ServerOf(i.Key)).Select(g => RunAsync(g.Key, (c, ct) => c.SetMultiAsync([.. g], ttlSeconds, ct), cancellationToken))).ConfigureAwait(false);
        Interlocked.Add(ref _errors, refused.Sum());
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var c in _connections)
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Whether <paramref name="key"/> is a valid memcached key (printable ASCII, no spaces, short enough).</summary>
    /// <param name="key">The key.</param>
    /// <returns>True when memcached accepts it.</returns>
    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= MaxKeyLength && key.All(c => c is > ' ' and < (char)127);

    private int ServerOf(string key)
    {
        ulong h = 14695981039346656037;
        foreach (char c in key)
        {
            h ^= c;
            h *= 1099511628211;
        }

        return (int)(h % (ulong)_connections.Length);
    }

    private async Task<T?> RunAsync<T>(int server, Func<MemcachedConnection, CancellationToken, Task<T>> op, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            return await _connections[server].RunAsync(op, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or MemcachedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Interlocked.Increment(ref _errors);
            return default;
        }
    }

    /// <summary>Formats an ASCII protocol line.</summary>
    internal static byte[] Line(string text) => Encoding.ASCII.GetBytes(text + "\r\n");

    /// <summary>Parses a non-negative decimal protocol field.</summary>
    internal static bool TryParseCount(string s, out int value) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
