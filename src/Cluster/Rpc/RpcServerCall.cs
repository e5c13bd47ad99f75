using System.Buffers;
using System.Globalization;
using Google.Protobuf;
using MetricsCluster.Cluster.Rpc.Wire;
using MetricsCluster.Core.Ingest;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>
/// The server side of one call: its token (cancelled when the <c>mc-deadline-ms</c> budget passes or the client goes
/// away), the request body in a pooled buffer, and the one place exceptions become statuses. Not thread-safe.
/// </summary>
internal sealed class RpcServerCall : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly ILogger _log;
    private byte[]? _body;
    private int _bodyLength;

    private RpcServerCall(HttpContext context, string method, ILogger log)
    {
        Context = context;
        Method = method;
        _log = log;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (context.Request.Headers.TryGetValue(RpcProtocol.DeadlineHeader, out var v)
            && long.TryParse(v.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out long ms))
        {
            DeadlineMs = ms;
            if (ms == 0)
            {
                // CancelAfter(0) would only fire on a timer, after a quick handler already answered.
                _cts.Cancel();
            }
            else
            {
                _cts.CancelAfter(TimeSpan.FromMilliseconds(Math.Min(ms, int.MaxValue)));
            }
        }
    }

    /// <summary>The HTTP context.</summary>
    public HttpContext Context { get; }

    /// <summary>The method path, e.g. <c>ingester/Push</c>.</summary>
    public string Method { get; }

    /// <summary>The caller's budget in ms, or null when it sent none.</summary>
    public long? DeadlineMs { get; }

    /// <summary>Cancelled at the deadline or when the client disconnects; pass it to the handler's work.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>The request body; valid until <see cref="Dispose"/> (the pooled buffer is returned there).</summary>
    public ReadOnlySpan<byte> Body => _body.AsSpan(0, _bodyLength);

    /// <summary>Runs a unary method: reads the body, runs <paramref name="handler"/>, writes its reply or the error.</summary>
    public static async Task RunUnaryAsync(HttpContext context, string method, ILogger log, Func<RpcServerCall, ValueTask<IMessage>> handler)
    {
        using var call = new RpcServerCall(context, method, log);
        try
        {
            await call.ReadBodyAsync().ConfigureAwait(false);
            call.Token.ThrowIfCancellationRequested();
            var reply = await handler(call).ConfigureAwait(false);

            // A reply after the deadline is useless to the caller, which has given up.
            call.Token.ThrowIfCancellationRequested();
            await call.WriteMessageAsync(reply).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await call.WriteErrorAsync(e).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a streamed method: <paramref name="handler"/> writes batches and returns the end frame.</summary>
    public static async Task RunStreamAsync(HttpContext context, string method, ILogger log, Func<RpcServerCall, FrameWriter, ValueTask<EndFrame>> handler)
    {
        using var call = new RpcServerCall(context, method, log);
        var writer = new FrameWriter(context.Response, call.Token);
        try
        {
            await call.ReadBodyAsync().ConfigureAwait(false);
            call.Token.ThrowIfCancellationRequested();
            var end = await handler(call, writer).ConfigureAwait(false);
            await writer.CompleteAsync(end).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (!context.Response.HasStarted)
            {
                await call.WriteErrorAsync(e).ConfigureAwait(false);
            }
            else
            {
                var (code, message) = call.Classify(e);
                await writer.TryWriteErrorAsync(new RpcError { Code = RpcStatus.ToWire(code), Message = message }).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Parses the body as <typeparamref name="T"/>.</summary>
    public T Parse<T>(MessageParser<T> parser)
        where T : IMessage<T> => parser.ParseFrom(Body);

    /// <inheritdoc/>
    public void Dispose()
    {
        _cts.Dispose();
        if (_body is not null)
        {
            ArrayPool<byte>.Shared.Return(_body);
            _body = null;
        }
    }

    private async Task ReadBodyAsync()
    {
        long? declared = Context.Request.ContentLength;
        _body = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(declared ?? 4096, 1, 64 << 20));
        var stream = Context.Request.Body;
        while (true)
        {
            if (_bodyLength == _body.Length)
            {
                byte[] bigger = ArrayPool<byte>.Shared.Rent(_body.Length * 2);
                _body.AsSpan(0, _bodyLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_body);
                _body = bigger;
            }

            int n = await stream.ReadAsync(_body.AsMemory(_bodyLength), Token).ConfigureAwait(false);
            if (n == 0)
            {
                return;
            }

            _bodyLength += n;
        }
    }

    private async Task WriteMessageAsync(IMessage message)
    {
        int size = message.CalculateSize();
        byte[] buf = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            message.WriteTo(buf.AsSpan(0, size));
            Context.Response.StatusCode = StatusCodes.Status200OK;
            Context.Response.ContentType = RpcProtocol.ContentType;
            Context.Response.ContentLength = size;

            // Kestrel copies the bytes into its output pipe before the write completes, so the buffer is free after it.
            await Context.Response.Body.WriteAsync(buf.AsMemory(0, size), Token).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    private async Task WriteErrorAsync(Exception e)
    {
        var (code, message) = Classify(e);
        if (Context.RequestAborted.IsCancellationRequested)
        {
            // Nobody is listening.
            return;
        }

        try
        {
            var error = new RpcError { Code = RpcStatus.ToWire(code), Message = message };
            Context.Response.StatusCode = RpcStatus.ToHttp(code);
            Context.Response.ContentType = RpcProtocol.ContentType;
            await Context.Response.Body.WriteAsync(error.ToByteArray(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception writeError) when (writeError is IOException or OperationCanceledException or InvalidOperationException)
        {
            _log.LogDebug(writeError, "rpc {Method}: could not send the error reply", Method);
        }
    }

    /// <summary>Maps an exception to a status (the server half of <see cref="RpcException.Retryable"/>).</summary>
    private (RpcStatusCode Code, string Message) Classify(Exception e)
    {
        switch (e)
        {
            case RpcStatusException s:
                return (s.Code, s.Message);
            case RpcException r:
                // A call this handler made to another server failed; pass on whether retrying may help.
                return (r.Code, r.Message);
            case IngesterUnavailableException:
                return (RpcStatusCode.Unavailable, e.Message);
            case OperationCanceledException when Context.RequestAborted.IsCancellationRequested:
                return (RpcStatusCode.Cancelled, "cancelled by the client");
            case OperationCanceledException when _cts.IsCancellationRequested:
                return (RpcStatusCode.DeadlineExceeded, $"deadline of {DeadlineMs} ms exceeded");
            case ArgumentException or FormatException or InvalidProtocolBufferException:
                return (RpcStatusCode.InvalidArgument, e.Message);
            default:
                _log.LogError(e, "rpc {Method} failed", Method);
                return (RpcStatusCode.Internal, e.GetType().Name + ": " + e.Message);
        }
    }
}
