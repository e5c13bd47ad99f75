using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MetricsCluster.Core.Caching;

/// <summary>
/// One TCP connection to one memcached, one request at a time (a semaphore), dropped on any failure because a
/// request cut short leaves the protocol stream in an unknown state. Used only by <see cref="MemcachedClient"/>.
/// </summary>
internal sealed class MemcachedConnection(string address) : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private TcpClient? _client;
    private Stream? _stream;

    public async Task<T> RunAsync<T>(Func<MemcachedConnection, CancellationToken, Task<T>> op, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_stream is null)
            {
                int colon = address.LastIndexOf(':');
                var client = new TcpClient { NoDelay = true };
                await client.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                _client = client;
                _stream = new BufferedStream(client.GetStream(), 16 * 1024);
            }

            return await op(this, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Drop();
            throw;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary><c>get k1 k2 …</c>: memcached answers <c>VALUE &lt;key&gt; &lt;flags&gt; &lt;bytes&gt;</c> + data per hit, then <c>END</c>.</summary>
    public async Task<Dictionary<string, byte[]>?> GetMultiAsync(string[] keys, CancellationToken cancellationToken)
    {
        await _stream!.WriteAsync(MemcachedClient.Line("get " + string.Join(' ', keys)), cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (true)
        {
            string line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line == "END")
            {
                return found;
            }

            string[] parts = line.Split(' ');
            if (parts.Length < 4 || parts[0] != "VALUE" || !MemcachedClient.TryParseCount(parts[3], out int length))
            {
                throw new MemcachedException(line);
            }

            byte[] value = new byte[length + 2];
            await _stream.ReadExactlyAsync(value, cancellationToken).ConfigureAwait(false);
            if (value[length] != '\r' || value[length + 1] != '\n')
            {
                throw new MemcachedException("value not followed by CRLF");
            }

            found[parts[1]] = value[..length];
        }
    }

    /// <summary>Writes every <c>set</c>, then reads one reply per item.</summary>
    /// <returns>How many items memcached refused (a reply other than STORED).</returns>
    public async Task<int> SetMultiAsync((string Key, byte[] Value)[] items, long ttlSeconds, CancellationToken cancellationToken)
    {
        foreach (var (key, value) in items)
        {
            await _stream!.WriteAsync(MemcachedClient.Line($"set {key} 0 {ttlSeconds} {value.Length}"), cancellationToken).ConfigureAwait(false);
            await _stream.WriteAsync(value, cancellationToken).ConfigureAwait(false);
            await _stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        }

        await _stream!.FlushAsync(cancellationToken).ConfigureAwait(false);
        int refused = 0;
        for (int i = 0; i < items.Length; i++)
        {
            // Every reply is read, so the stream stays in step (and the connection usable) when an item was refused,
            // for example with SERVER_ERROR object too large for cache: that entry is simply not cached.
            if (await ReadLineAsync(cancellationToken).ConfigureAwait(false) != "STORED")
            {
                refused++;
            }
        }

        return refused;
    }

    public ValueTask DisposeAsync()
    {
        Drop();
        _lock.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        byte[] one = new byte[1];
        while (true)
        {
            // The stream is buffered, so a byte at a time costs a copy, not a system call.
            await _stream!.ReadExactlyAsync(one, cancellationToken).ConfigureAwait(false);
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
}
