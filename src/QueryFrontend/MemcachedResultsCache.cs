using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// An <see cref="IResultsCache"/> in memcached (<c>-query-frontend.results-cache.backend=memcached</c>), over
/// memcached's text protocol. Keys are Mimir's: the hex FNV-1a 64 of the long key (memcached keys are short and
/// printable); the long key is stored in the value (<see cref="ExtentCodec"/>) so a collision reads as a miss.
/// Entries live <c>ttl</c> (Mimir's <c>results_cache_ttl</c>, 7d). Any failure (unreachable, timeout, a value over
/// memcached's item size) is a miss or a dropped write, and the connection is opened again on the next request.
/// One connection per address, used by one request at a time; keys go to addresses by their hash.
/// </summary>
public sealed class MemcachedResultsCache : IResultsCache, IAsyncDisposable
{
    private readonly Connection[] _connections;
    private readonly TimeSpan _timeout;
    private readonly long _ttlSeconds;
    private long _errors;

    /// <summary>Creates a client of <paramref name="addresses"/> (<c>host:port</c>, at least one).</summary>
    public MemcachedResultsCache(IReadOnlyList<string> addresses, TimeSpan timeout, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentOutOfRangeException.ThrowIfZero(addresses.Count);
        _connections = addresses.Select(a => new Connection(a)).ToArray();
        _timeout = timeout;

        // Memcached reads an expiry over 30 days as an absolute Unix time; a week is well under.
        _ttlSeconds = (long)Math.Clamp(ttl.TotalSeconds, 1, 30 * 86_400);
    }

    /// <summary>Requests that failed (and were treated as misses or dropped writes).</summary>
    public long Errors => Interlocked.Read(ref _errors);

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
        string hashed = HashKey(key);
        byte[]? value = await RunAsync(hashed, (c, ct) => c.GetAsync(hashed, ct), cancellationToken);
        return value is not null && ExtentCodec.TryDecode(value, key, out var extents) ? extents : null;
    }

    /// <inheritdoc/>
    public async ValueTask SetAsync(string key, IReadOnlyList<Extent> extents, CancellationToken cancellationToken)
    {
        string hashed = HashKey(key);
        var buf = new ArrayBufferWriter<byte>();
        ExtentCodec.Encode(key, extents, buf);
        byte[] value = buf.WrittenSpan.ToArray();
        await RunAsync(hashed, async (c, ct) =>
        {
            await c.SetAsync(hashed, value, _ttlSeconds, ct);
            return (byte[]?)null;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var c in _connections)
        {
            await c.DisposeAsync();
        }
    }

    private async Task<byte[]?> RunAsync(string hashed, Func<Connection, CancellationToken, Task<byte[]?>> op, CancellationToken cancellationToken)
    {
        var connection = _connections[(int)(ulong.Parse(hashed, NumberStyles.HexNumber, CultureInfo.InvariantCulture) % (ulong)_connections.Length)];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            return await connection.RunAsync(op, timeout.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or MemcachedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Interlocked.Increment(ref _errors);
            return null;
        }
    }

    /// <summary>One TCP connection to one memcached, one request at a time; dropped on any failure.</summary>
    private sealed class Connection(string address) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _lock = new(1, 1);
        private TcpClient? _client;
        private Stream? _stream;

        public async Task<byte[]?> RunAsync(Func<Connection, CancellationToken, Task<byte[]?>> op, CancellationToken cancellationToken)
        {
            await _lock.WaitAsync(cancellationToken);
            try
            {
                if (_stream is null)
                {
                    int colon = address.LastIndexOf(':');
                    var client = new TcpClient { NoDelay = true };
                    await client.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture), cancellationToken);
                    _client = client;
                    _stream = new BufferedStream(client.GetStream(), 16 * 1024);
                }

                return await op(this, cancellationToken);
            }
            catch
            {
                // A request cut short leaves the protocol stream in an unknown state.
                Drop();
                throw;
            }
            finally
            {
                _lock.Release();
            }
        }

        public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
        {
            await _stream!.WriteAsync(Encoding.ASCII.GetBytes($"get {key}\r\n"), cancellationToken);
            await _stream.FlushAsync(cancellationToken);
            string line = await ReadLineAsync(cancellationToken);
            if (line == "END")
            {
                return null;
            }

            // VALUE <key> <flags> <bytes>
            string[] parts = line.Split(' ');
            if (parts.Length < 4 || parts[0] != "VALUE" || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out int length))
            {
                throw new MemcachedException(line);
            }

            byte[] value = new byte[length + 2];
            await _stream.ReadExactlyAsync(value, cancellationToken);
            if (await ReadLineAsync(cancellationToken) != "END")
            {
                throw new MemcachedException("no END after the value");
            }

            return value[..length];
        }

        public async Task SetAsync(string key, byte[] value, long ttlSeconds, CancellationToken cancellationToken)
        {
            await _stream!.WriteAsync(Encoding.ASCII.GetBytes($"set {key} 0 {ttlSeconds} {value.Length}\r\n"), cancellationToken);
            await _stream.WriteAsync(value, cancellationToken);
            await _stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
            await _stream.FlushAsync(cancellationToken);
            string reply = await ReadLineAsync(cancellationToken);
            if (reply != "STORED")
            {
                // For example SERVER_ERROR object too large for cache: the entry is simply not cached.
                throw new MemcachedException(reply);
            }
        }

        private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            byte[] one = new byte[1];
            while (true)
            {
                await _stream!.ReadExactlyAsync(one, cancellationToken);
                if (one[0] == '\n' && line.Length > 0 && line[^1] == '\r')
                {
                    return line.ToString(0, line.Length - 1);
                }

                if (line.Length > 1024)
                {
                    throw new MemcachedException("reply line too long");
                }

                line.Append((char)one[0]);
            }
        }

        private void Drop()
        {
            _stream?.Dispose();
            _client?.Dispose();
            _stream = null;
            _client = null;
        }

        public ValueTask DisposeAsync()
        {
            Drop();
            _lock.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Memcached answered something other than the protocol's success reply.</summary>
public sealed class MemcachedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MemcachedException()
    {
    }

    /// <summary>Creates the exception with memcached's reply.</summary>
    public MemcachedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public MemcachedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
