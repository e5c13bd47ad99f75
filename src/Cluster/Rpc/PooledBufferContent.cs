using System.Buffers;
using System.Net;
using Google.Protobuf;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>
/// A request body in a buffer rented from <see cref="ArrayPool{T}.Shared"/> (G11). Ownership note: HttpClient may still
/// be sending the body when the response headers arrive (HTTP/2 lets a server answer early) and may serialize it
/// again on a retried connection, so the buffer is returned only when the content is disposed AND no serialization is
/// running: a reference count starts at 1 for the owner, each <see cref="SerializeToStreamAsync(Stream, TransportContext?)"/>
/// holds one more, and whoever drops it to 0 returns the buffer.
/// </summary>
internal sealed class PooledBufferContent : HttpContent
{
    private readonly int _length;
    private byte[]? _buffer;
    private int _refs = 1;

    private PooledBufferContent(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(RpcProtocol.ContentType);
    }

    /// <summary>Serializes a generated message into a pooled buffer.</summary>
    public static PooledBufferContent FromMessage(IMessage message)
    {
        int size = message.CalculateSize();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        message.WriteTo(buffer.AsSpan(0, size));
        return new PooledBufferContent(buffer, size);
    }

    /// <summary>Takes ownership of a rented <paramref name="buffer"/> holding <paramref name="length"/> bytes.</summary>
    public static PooledBufferContent Wrap(byte[] buffer, int length) => new(buffer, length);

    /// <inheritdoc/>
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _refs) == 1)
        {
            // Already disposed: the buffer went back to the pool.
            Interlocked.Decrement(ref _refs);
            throw new ObjectDisposedException(nameof(PooledBufferContent));
        }

        try
        {
            await stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Release();
        }
    }

    /// <inheritdoc/>
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    /// <inheritdoc/>
    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is not null)
        {
            Release();
        }

        base.Dispose(disposing);
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            byte[]? b = Interlocked.Exchange(ref _buffer, null);
            if (b is not null)
            {
                ArrayPool<byte>.Shared.Return(b);
            }
        }
    }
}
