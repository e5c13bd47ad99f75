using System.Buffers;
using MetricsCluster.Cluster.Rpc.Wire;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>
/// Reads uvarint-length-prefixed <see cref="StreamFrame"/>s from a response stream. Returns null only at a clean end
/// (between frames); an end inside a frame throws <see cref="EndOfStreamException"/>, a bad length prefix
/// <see cref="InvalidDataException"/> and a malformed frame <c>InvalidProtocolBufferException</c> or
/// <see cref="InvalidDataException"/>. Its buffer is pooled and returned by <see cref="Dispose"/>; parsed frames copy
/// their bytes, so nothing retains it. Not thread-safe.
/// </summary>
internal sealed class FrameReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buf = ArrayPool<byte>.Shared.Rent(64 << 10);
    private int _start;
    private int _end;

    /// <summary>Creates a reader over <paramref name="stream"/>.</summary>
    public FrameReader(Stream stream) => _stream = stream;

    /// <summary>Reads the next frame, or null at a clean end of stream.</summary>
    public async ValueTask<StreamFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryParse(out var frame, out int needed))
            {
                return frame;
            }

            if (_start + needed > _buf.Length)
            {
                Compact(needed);
            }

            int n = await _stream.ReadAsync(_buf.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                if (_start == _end)
                {
                    return null;
                }

                throw new EndOfStreamException($"stream ended inside a frame ({_end - _start} bytes of it received)");
            }

            _end += n;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buf);
        _buf = [];
    }

    private bool TryParse(out StreamFrame? frame, out int needed)
    {
        frame = null;
        var data = _buf.AsSpan(_start, _end - _start);
        ulong len = 0;
        int header = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (header == data.Length)
            {
                needed = header + 1;
                return false;
            }

            if (header == 5)
            {
                throw new InvalidDataException("frame length varint longer than 5 bytes");
            }

            byte b = data[header++];
            len |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        if (len > RpcProtocol.MaxFrameBytes)
        {
            throw new InvalidDataException($"frame of {len} bytes exceeds the limit of {RpcProtocol.MaxFrameBytes}");
        }

        needed = header + (int)len;
        if (data.Length < needed)
        {
            return false;
        }

        try
        {
            frame = StreamFrame.Parser.ParseFrom(data.Slice(header, (int)len));
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            // Google.Protobuf 3.25 throws these instead of InvalidProtocolBufferException for a negative length or a
            // cut fixed32 inside an unknown group (found by tests/Fuzz rpc-stream); malformed data either way.
            throw new InvalidDataException("malformed frame: " + e.Message, e);
        }

        _start += needed;
        return true;
    }

    private void Compact(int needed)
    {
        int live = _end - _start;
        byte[] target = needed > _buf.Length ? ArrayPool<byte>.Shared.Rent(needed) : _buf;
        _buf.AsSpan(_start, live).CopyTo(target);
        if (!ReferenceEquals(target, _buf))
        {
            ArrayPool<byte>.Shared.Return(_buf);
            _buf = target;
        }

        _start = 0;
        _end = live;
    }
}
