using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace MetricsCluster.Tsdb.Wal;

/// <summary>
/// Bounds-checked reader over one record (Prometheus encoding.Decbuf). Every failure throws
/// <see cref="WalRecordException"/> with the byte offset, through a cold helper (G17).
/// </summary>
internal ref struct WalDecoder
{
    private readonly ReadOnlySpan<byte> _b;
    private int _pos;

    public WalDecoder(ReadOnlySpan<byte> record)
    {
        _b = record;
        _pos = 0;
    }

    /// <summary>Current offset in the record.</summary>
    public readonly int Position => _pos;

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _b.Length - _pos;

    public byte Byte()
    {
        if (_pos >= _b.Length)
        {
            Fail(_pos, "unexpected end of record reading a byte");
        }

        return _b[_pos++];
    }

    public ulong Be64()
    {
        if (_b.Length - _pos < 8)
        {
            Fail(_pos, "unexpected end of record reading a BE64");
        }

        ulong v = BinaryPrimitives.ReadUInt64BigEndian(_b.Slice(_pos));
        _pos += 8;
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Uvarint()
    {
        if (_pos < _b.Length && _b[_pos] < 0x80)
        {
            return _b[_pos++];
        }

        return UvarintSlow();
    }

    /// <summary>A zig-zag varint (Go binary.Varint).</summary>
    public long Varint()
    {
        ulong u = Uvarint();
        return (long)(u >> 1) ^ -(long)(u & 1);
    }

    /// <summary>A uvarint that must fit an int and leave that many bytes in the record.</summary>
    public int Length()
    {
        int at = _pos;
        ulong n = Uvarint();
        if (n > (ulong)(_b.Length - _pos))
        {
            Fail(at, $"length {n} exceeds the {_b.Length - _pos} bytes left");
        }

        return (int)n;
    }

    /// <summary>A <c>str</c>: uvarint length plus bytes, as a slice of the record.</summary>
    public ReadOnlySpan<byte> Bytes()
    {
        int n = Length();
        var s = _b.Slice(_pos, n);
        _pos += n;
        return s;
    }

    public string String() => Encoding.UTF8.GetString(Bytes());

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong UvarintSlow()
    {
        int start = _pos;
        ulong x = 0;
        int shift = 0;
        for (int i = 0; i < 10; i++)
        {
            if (_pos >= _b.Length)
            {
                Fail(start, "unexpected end of record reading a varint");
            }

            byte b = _b[_pos++];
            if (b < 0x80)
            {
                if (i == 9 && b > 1)
                {
                    break;
                }

                return x | ((ulong)b << shift);
            }

            x |= (ulong)(b & 0x7F) << shift;
            shift += 7;
        }

        Fail(start, "varint overflows 64 bits");
        return 0;
    }

    [DoesNotReturn]
    public static void Fail(int offset, string reason) => throw new WalRecordException(offset, reason);
}
