using System.Buffers.Binary;
using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// A growable byte buffer with the big-endian and varint appenders of Prometheus'
/// <c>tsdb/encoding.Encbuf</c>, used to assemble one CRC-covered section before it is written.
/// Not thread-safe; reuse with <see cref="Reset"/>.
/// </summary>
internal sealed class Encbuf
{
    private byte[] _buf;

    public Encbuf(int capacity = 256) => _buf = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _buf.AsSpan(0, Length);

    public void Reset() => Length = 0;

    public void PutByte(byte b) => Grow(1)[0] = b;

    public void PutBE32(uint v) => BinaryPrimitives.WriteUInt32BigEndian(Grow(4), v);

    public void PutBE64(ulong v) => BinaryPrimitives.WriteUInt64BigEndian(Grow(8), v);

    public void PutUvarint(ulong v)
    {
        Ensure(Varint.MaxLength);
        Length += Varint.PutUvarint(_buf.AsSpan(Length), v);
    }

    public void PutVarint(long v)
    {
        Ensure(Varint.MaxLength);
        Length += Varint.PutVarint(_buf.AsSpan(Length), v);
    }

    public void PutBytes(ReadOnlySpan<byte> b) => b.CopyTo(Grow(b.Length));

    /// <summary>A <c>str</c>: uvarint byte length, then the bytes.</summary>
    public void PutUvarintBytes(ReadOnlySpan<byte> b)
    {
        PutUvarint((ulong)b.Length);
        PutBytes(b);
    }

    /// <summary>Overwrites 4 bytes at <paramref name="offset"/> (a length field filled in afterwards).</summary>
    public void SetBE32(int offset, uint v) => BinaryPrimitives.WriteUInt32BigEndian(_buf.AsSpan(offset, 4), v);

    private Span<byte> Grow(int n)
    {
        Ensure(n);
        var s = _buf.AsSpan(Length, n);
        Length += n;
        return s;
    }

    private void Ensure(int n)
    {
        if (Length + n > _buf.Length)
        {
            Array.Resize(ref _buf, Math.Max(_buf.Length * 2, Length + n));
        }
    }
}
