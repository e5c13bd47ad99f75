using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// Reads the primitives of the TSDB files (BE32/BE64, uvarint, zig-zag varint, length-prefixed strings) from a
/// span that starts at absolute file offset <see cref="BaseOffset"/> (Prometheus <c>encoding.Decbuf</c>).
/// Every read is bounds-checked; a failure throws <see cref="BlockCorruptionException"/> naming the file,
/// the section and the absolute offset (G17). None of its methods are thread-safe.
/// </summary>
internal ref struct ByteDecoder
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _file;
    private readonly string _section;
    private int _pos;

    /// <summary>Creates a decoder over <paramref name="data"/>, which starts at file offset <paramref name="baseOffset"/>.</summary>
    public ByteDecoder(ReadOnlySpan<byte> data, long baseOffset, string file, string section)
    {
        _data = data;
        BaseOffset = baseOffset;
        _file = file;
        _section = section;
        _pos = 0;
    }

    /// <summary>File offset of the first byte of the span.</summary>
    public long BaseOffset { get; }

    /// <summary>Position relative to the start of the span.</summary>
    public readonly int Position => _pos;

    /// <summary>Absolute file offset of the next byte.</summary>
    public readonly long Offset => BaseOffset + _pos;

    /// <summary>Bytes left.</summary>
    public readonly int Remaining => _data.Length - _pos;

    /// <summary>Reads a big-endian 32-bit integer.</summary>
    public uint ReadBE32()
    {
        Need(4, "4-byte integer");
        uint v = BinaryPrimitives.ReadUInt32BigEndian(_data[_pos..]);
        _pos += 4;
        return v;
    }

    /// <summary>Reads a big-endian 64-bit integer.</summary>
    public ulong ReadBE64()
    {
        Need(8, "8-byte integer");
        ulong v = BinaryPrimitives.ReadUInt64BigEndian(_data[_pos..]);
        _pos += 8;
        return v;
    }

    /// <summary>Reads one byte.</summary>
    public byte ReadByte()
    {
        Need(1, "byte");
        return _data[_pos++];
    }

    /// <summary>Reads an unsigned LEB128 varint (at most 10 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadUvarint()
    {
        if (_pos < _data.Length && _data[_pos] < 0x80)
        {
            return _data[_pos++];
        }

        return ReadUvarintSlow();
    }

    /// <summary>Reads a zig-zag varint.</summary>
    public long ReadVarint()
    {
        ulong u = ReadUvarint();
        return (long)(u >> 1) ^ -(long)(u & 1);
    }

    /// <summary>Reads a uvarint that must fit an <see cref="int"/> (lengths, counts, symbol refs).</summary>
    public int ReadUvarintInt32(string what)
    {
        long at = Offset;
        ulong v = ReadUvarint();
        if (v > int.MaxValue)
        {
            Fail(at, $"{what} {v} is too large");
        }

        return (int)v;
    }

    /// <summary>Reads a uvarint file offset, which must fit a <see cref="long"/> (a larger one is damage, not an overflow).</summary>
    public long ReadUvarintOffset(string what)
    {
        long at = Offset;
        ulong v = ReadUvarint();
        if (v > long.MaxValue)
        {
            Fail(at, $"{what} {v} is past any file");
        }

        return (long)v;
    }

    /// <summary>Returns the next <paramref name="length"/> bytes and skips them.</summary>
    public ReadOnlySpan<byte> ReadBytes(int length, string what)
    {
        Need(length, what);
        var s = _data.Slice(_pos, length);
        _pos += length;
        return s;
    }

    /// <summary>Reads a uvarint-length-prefixed string as a span.</summary>
    public ReadOnlySpan<byte> ReadUvarintBytes(string what)
    {
        int n = ReadUvarintInt32(what + " length");
        return ReadBytes(n, what);
    }

    /// <summary>Throws the corruption exception for this decoder's file and section at <paramref name="offset"/>.</summary>
    [DoesNotReturn]
    public readonly void Fail(long offset, string reason) => throw new BlockCorruptionException(_file, _section, offset, reason);

    private readonly void Need(int n, string what)
    {
        if (n < 0 || _data.Length - _pos < n)
        {
            Fail(Offset, $"truncated: {what} needs {n} bytes, {Remaining} left");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong ReadUvarintSlow()
    {
        long at = Offset;
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= _data.Length)
            {
                Fail(at, "truncated varint");
            }

            byte b = _data[_pos++];
            if (shift == 63 && b > 1)
            {
                Fail(at, "varint overflows 64 bits");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        Fail(at, "varint longer than 10 bytes");
        return 0;
    }
}
