using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using MetricsCluster.Cluster.Rpc.Wire;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>
/// One pooled HTTP/2 cleartext client per server address (prior knowledge, no upgrade): many concurrent calls share a
/// few multiplexed connections. Thread-safe; dispose once when the process stops. Every failure surfaces as
/// <see cref="RpcException"/>, except the caller's own cancellation, which stays an <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class RpcClientPool : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private readonly ILogger _log;
    private bool _disposed;

    /// <summary>Creates the pool.</summary>
    /// <param name="options">Deadlines and connection settings; validated here.</param>
    /// <param name="loggerFactory">Logs failed calls at debug level (callers decide what is worth a warning).</param>
    public RpcClientPool(RpcClientOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _log = loggerFactory.CreateLogger<RpcClientPool>();
    }

    /// <summary>The settings.</summary>
    public RpcClientOptions Options { get; }

    /// <summary>Number of addresses with a pooled client (tests check calls share them).</summary>
    internal int PooledAddresses => _clients.Count;

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        foreach (var c in _clients.Values)
        {
            c.Dispose();
        }

        _clients.Clear();
    }

    /// <summary>A unary call: sends <paramref name="body"/> (taking ownership) and parses the 200 reply.</summary>
    internal async Task<TResponse> CallAsync<TResponse>(string address, string method, PooledBufferContent body, TimeSpan timeout, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var response = await SendAsync(address, method, body, timeout, deadline, cancellationToken).ConfigureAwait(false);
        try
        {
            byte[] bytes = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            return parser.ParseFrom(bytes);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, address, method, timeout, deadline, cancellationToken, "reading the reply");
        }
    }

    /// <summary>A unary call with a generated request message.</summary>
    internal Task<TResponse> CallAsync<TResponse>(string address, string method, IMessage request, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse> =>
        CallAsync(address, method, PooledBufferContent.FromMessage(request), Options.Timeout, parser, cancellationToken);

    /// <summary>
    /// A streamed call: yields each series batch; <paramref name="onEnd"/> receives the end frame. A stream that ends
    /// without an end frame, or breaks, throws a retryable <see cref="RpcException"/>: never a short result.
    /// </summary>
    internal async IAsyncEnumerable<SeriesBatch> StreamAsync(string address, string method, IMessage request, Action<EndFrame>? onEnd, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var timeout = Options.Timeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var response = await SendAsync(address, method, PooledBufferContent.FromMessage(request), timeout, deadline, cancellationToken).ConfigureAwait(false);
        Stream body;
        try
        {
            body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Translate(e, address, method, timeout, deadline, cancellationToken, "opening the stream");
        }

        using var reader = new FrameReader(body);
        int frames = 0;
        while (true)
        {
            StreamFrame? frame;
            try
            {
                frame = await reader.ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                throw Translate(e, address, method, timeout, deadline, cancellationToken, $"stream truncated after {frames} frames from {address}");
            }

            if (frame is null)
            {
                throw new RpcException(RpcStatusCode.Unavailable, address, method, $"stream truncated after {frames} frames from {address} (no end frame)");
            }

            switch (frame.FrameCase)
            {
                case StreamFrame.FrameOneofCase.Batch:
                    frames++;
                    yield return frame.Batch;
                    break;
                case StreamFrame.FrameOneofCase.Error:
                    throw new RpcException(RpcStatus.FromWire(frame.Error.Code), address, method, frame.Error.Message);
                case StreamFrame.FrameOneofCase.End:
                    if (frame.End.Frames != frames)
                    {
                        throw new RpcException(RpcStatusCode.Unavailable, address, method, $"stream truncated: end frame counts {frame.End.Frames} frames, {frames} received from {address}");
                    }

                    onEnd?.Invoke(frame.End);
                    yield break;
                default:
                    throw new RpcException(RpcStatusCode.Internal, address, method, "empty stream frame");
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string address, string method, PooledBufferContent body, TimeSpan timeout, CancellationTokenSource deadline, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("http://" + address + RpcProtocol.PathPrefix + method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = body,
        };
        request.Headers.TryAddWithoutValidation(RpcProtocol.DeadlineHeader, ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        HttpResponseMessage response;
        try
        {
            response = await ClientFor(address).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Translate(e, address, method, timeout, deadline, cancellationToken, "sending the request");
        }

        if (response.StatusCode == HttpStatusCode.OK)
        {
            return response;
        }

        using (response)
        {
            throw await ErrorFromReplyAsync(response, address, method, deadline.Token).ConfigureAwait(false);
        }
    }

    private static async Task<RpcException> ErrorFromReplyAsync(HttpResponseMessage response, string address, string method, CancellationToken cancellationToken)
    {
        var code = RpcStatus.FromHttp(response.StatusCode);
        string message = $"HTTP {(int)response.StatusCode}";
        try
        {
            byte[] bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.Content.Headers.ContentType?.MediaType == RpcProtocol.ContentType)
            {
                var error = RpcError.Parser.ParseFrom(bytes);
                code = RpcStatus.FromWire(error.Code);
                message = error.Message;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidProtocolBufferException or OperationCanceledException)
        {
            // The status alone still says what happened.
        }

        return new RpcException(code, address, method, message);
    }

    private Exception Translate(Exception e, string address, string method, TimeSpan timeout, CancellationTokenSource deadline, CancellationToken cancellationToken, string during)
    {
        if (e is RpcException)
        {
            return e;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException($"rpc {method} to {address} cancelled by the caller", e, cancellationToken);
        }

        _log.LogDebug(e, "rpc {Method} to {Address} failed while {During}", method, address, during);
        if (deadline.IsCancellationRequested)
        {
            return new RpcException(RpcStatusCode.DeadlineExceeded, address, method, $"deadline of {(long)timeout.TotalMilliseconds} ms exceeded while {during}", e);
        }

        return e switch
        {
            HttpRequestException or IOException or EndOfStreamException => new RpcException(RpcStatusCode.Unavailable, address, method, $"{during}: {e.Message}", e),
            InvalidProtocolBufferException or InvalidDataException => new RpcException(RpcStatusCode.Internal, address, method, $"malformed reply while {during}: {e.Message}", e),
            _ => new RpcException(RpcStatusCode.Internal, address, method, $"{during}: {e.Message}", e),
        };
    }

    private HttpClient ClientFor(string address) => _clients.GetOrAdd(address, static (_, o) =>
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = o.ConnectTimeout,
            EnableMultipleHttp2Connections = true,
            MaxConnectionsPerServer = o.MaxConnectionsPerServer,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),

            // Pings detect a dead peer on an idle pooled connection before a call is sent on it.
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        };

        // Deadlines are per call (linked tokens), so the client-wide timeout is off.
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }, Options);
}
