using System.Net;
using System.Net.Sockets;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>
/// A TCP forwarder on a fixed 127.0.0.1 port to a loopback target, which a test can take down and bring back on the
/// same port: the way to simulate an object-store outage in front of an in-memory server such as moto.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly HashSet<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;
    private Task? _acceptLoop;
    private int _accepted;

    /// <summary>Creates a stopped proxy on a free port forwarding to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        Port = Repo.FreePort();
    }

    /// <summary>The listening port (the same after every <see cref="StartAsync"/>).</summary>
    public int Port { get; }

    /// <summary>Client connections accepted so far, over all starts.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Starts listening; retries the bind for a while because the port may still be held by the previous listener.</summary>
    public async Task StartAsync()
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("the proxy is already listening");
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                listener.Start();
                _listener = listener;
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                listener.Dispose();

                // Polling the kernel: the old socket's port is released asynchronously.
                await Task.Delay(200);
            }
        }

        _stop = new CancellationTokenSource();
        _acceptLoop = AcceptLoopAsync(_listener, _stop.Token);
    }

    /// <summary>Closes the listener and every open connection, so the target looks down (connection refused).</summary>
    public async Task StopAsync()
    {
        if (_listener is null)
        {
            return;
        }

        await _stop!.CancelAsync();
        _listener.Stop();
        lock (_open)
        {
            foreach (var c in _open)
            {
                c.Dispose();
            }

            _open.Clear();
        }

        try
        {
            await _acceptLoop!;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _listener.Dispose();
        _listener = null;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = ForwardAsync(client, ct);
        }
    }

    private async Task ForwardAsync(TcpClient client, CancellationToken ct)
    {
        using var upstream = new TcpClient();
        try
        {
            if (!Track(client) || !Track(upstream))
            {
                return;
            }

            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, ct);
            NetworkStream a = client.GetStream(), b = upstream.GetStream();

            // Either direction ending (or the proxy stopping) ends the connection, like a dropped link.
            await Task.WhenAny(a.CopyToAsync(b, ct), b.CopyToAsync(a, ct));
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The peer or the test closed the connection: nothing to report.
        }
        finally
        {
            Untrack(client);
            Untrack(upstream);
            client.Dispose();
        }
    }

    private bool Track(TcpClient c)
    {
        lock (_open)
        {
            return _stop is { IsCancellationRequested: false } && _open.Add(c);
        }
    }

    private void Untrack(TcpClient c)
    {
        lock (_open)
        {
            _open.Remove(c);
        }
    }
}
