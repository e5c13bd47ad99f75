using System.Buffers;
using Google.Protobuf;
using MetricsCluster.Cluster.Rpc.Wire;
using Microsoft.AspNetCore.Http;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>
/// Writes a streamed reply: series are gathered into a <see cref="SeriesBatch"/> until it holds about
/// <see cref="RpcProtocol.TargetBatchBytes"/>, then sent as one uvarint-length-prefixed <see cref="StreamFrame"/>;
/// <see cref="CompleteAsync"/> sends the rest and the end frame. Not thread-safe.
/// </summary>
internal sealed class FrameWriter
{
    private readonly HttpResponse _response;
    private readonly CancellationToken _token;
    private SeriesBatch _batch = new();
    private int _batchBytes;
    private uint _frames;

    /// <summary>Creates a writer on <paramref name="response"/>.</summary>
    public FrameWriter(HttpResponse response, CancellationToken token)
    {
        _response = response;
        _token = token;
    }

    /// <summary>Adds one series, sending the batch when it is full.</summary>
    public async ValueTask AddAsync(StreamSeries series)
    {
        _batch.Series.Add(series);
        _batchBytes += series.CalculateSize() + 5;
        if (_batchBytes >= RpcProtocol.TargetBatchBytes)
        {
            await FlushBatchAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends the last batch and the end frame (which gets the frame count filled in).</summary>
    public async ValueTask CompleteAsync(EndFrame end)
    {
        await FlushBatchAsync().ConfigureAwait(false);
        end.Frames = _frames;
        await WriteFrameAsync(new StreamFrame { End = end }, _token).ConfigureAwait(false);
    }

    /// <summary>Sends an error frame after the status line went out; failures to send are ignored (the stream then ends truncated).</summary>
    public async ValueTask TryWriteErrorAsync(RpcError error)
    {
        try
        {
            await WriteFrameAsync(new StreamFrame { Error = error }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client will see a truncated stream, which is retryable as well.
        }
    }

    private async ValueTask FlushBatchAsync()
    {
        if (_batch.Series.Count == 0)
        {
            return;
        }

        var frame = new StreamFrame { Batch = _batch };
        _batch = new SeriesBatch();
        _batchBytes = 0;
        await WriteFrameAsync(frame, _token).ConfigureAwait(false);
        _frames++;
    }

    private async ValueTask WriteFrameAsync(StreamFrame frame, CancellationToken token)
    {
        if (!_response.HasStarted)
        {
            _response.StatusCode = StatusCodes.Status200OK;
            _response.ContentType = RpcProtocol.ContentType;
        }

        int size = frame.CalculateSize();
        int header = WireWriter.VarintSize((ulong)size);
        byte[] buf = ArrayPool<byte>.Shared.Rent(header + size);
        try
        {
            var w = new WireWriter(buf);
            w.WriteVarint((ulong)size);
            frame.WriteTo(buf.AsSpan(header, size));

            // Kestrel copies into its output pipe (and flushes) before the write completes; the buffer is free after it.
            await _response.Body.WriteAsync(buf.AsMemory(0, header + size), token).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }
}
