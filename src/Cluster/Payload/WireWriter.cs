using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace MetricsCluster.Cluster.Payload;

/// <summary>
/// A protobuf writer into a span the caller sized with the matching <c>Size</c> helpers (G9): no bounds growth,
/// the caller measured first. Not thread-safe.
/// </summary>
internal ref struct WireWriter
{
    private readonly Span<byte> _dst;
    private int _pos;

    /// <summary>Creates a writer at the start of <paramref name="dst"/>.</summary>
    public WireWriter(Span<byte> dst)
    {
        _dst = dst;
        _pos = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Position => _pos;

    /// <summary>Bytes a varint of <paramref name="v"/> takes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int VarintSize(ulong v) => (64 - System.Numerics.BitOperations.LeadingZeroCount(v | 1) + 6) / 7;

    /// <summary>Bytes of a length-delimited field (tag below 16) with a payload of <paramref name="length"/> bytes.</summary>
    public static int LengthDelimitedSize(int length) => 1 + VarintSize((ulong)length) + length;

    /// <summary>Writes a one-byte tag (field numbers below 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteTag(int field, int wireType) => _dst[_pos++] = (byte)((field << 3) | wireType);

    /// <summary>Writes a varint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarint(ulong v)
    {
        while (v >= 0x80)
        {
            _dst[_pos++] = (byte)(v | 0x80);
            v >>= 7;
        }

        _dst[_pos++] = (byte)v;
    }

    /// <summary>Writes a little-endian double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteDouble(double v)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_dst[_pos..], v);
        _pos += 8;
    }

    /// <summary>Writes raw bytes.</summary>
    public void WriteRaw(ReadOnlySpan<byte> data)
    {
        data.CopyTo(_dst[_pos..]);
        _pos += data.Length;
    }

    /// <summary>Writes a length-delimited field.</summary>
    public void WriteBytesField(int field, ReadOnlySpan<byte> data)
    {
        WriteTag(field, WireReader.LengthDelimited);
        WriteVarint((ulong)data.Length);
        WriteRaw(data);
    }
}
