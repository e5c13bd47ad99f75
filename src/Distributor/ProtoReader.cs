using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace MetricsCluster.Distributor;

/// <summary>
/// A forward-only protobuf wire reader over one message, <c>[start, end)</c> of a larger buffer
/// (G10). Positions stay absolute in the whole buffer so errors can name the byte offset. Every read
/// is bounds-checked against the message end: bad input throws
/// <see cref="RemoteWriteFormatException"/>, never an index exception.
/// </summary>
internal ref struct ProtoReader
{
    /// <summary>Wire type 0: varint.</summary>
    public const int WireVarint = 0;

    /// <summary>Wire type 1: 8 bytes little-endian.</summary>
    public const int WireFixed64 = 1;

    /// <summary>Wire type 2: uvarint length then bytes.</summary>
    public const int WireLengthDelimited = 2;

    /// <summary>Wire type 3: deprecated group start.</summary>
    public const int WireStartGroup = 3;

    /// <summary>Wire type 4: deprecated group end.</summary>
    public const int WireEndGroup = 4;

    /// <summary>Wire type 5: 4 bytes little-endian.</summary>
    public const int WireFixed32 = 5;

    // Google.Protobuf's default recursion limit; bounds stack use on hostile nested groups.
    private const int MaxGroupDepth = 100;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _end;
    private int _pos;
    private int _tagStart;

    /// <summary>Reads the message <c>data[start..end)</c>.</summary>
    public ProtoReader(ReadOnlySpan<byte> data, int start, int end)
    {
        _data = data;
        _pos = start;
        _end = end;
    }

    /// <summary>Absolute position of the next byte.</summary>
    public readonly int Position => _pos;

    /// <summary>Reads the next tag; false at the end of the message.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadTag(out uint tag)
    {
        if (_pos >= _end)
        {
            tag = 0;
            return false;
        }

        int at = _tagStart = _pos;
        ulong t = ReadVarint();
        if ((t >> 3) == 0 || t > uint.MaxValue)
        {
            RemoteWriteFormatException.Throw(at, t > uint.MaxValue ? "field number out of range" : "invalid field number 0");
        }

        tag = (uint)t;
        return true;
    }

    /// <summary>Reads a base-128 varint (at most 10 bytes; excess high bits are dropped, as gogo-protobuf does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarint()
    {
        int p = _pos;
        if (p < _end)
        {
            byte b = _data[p];
            if (b < 0x80)
            {
                _pos = p + 1;
                return b;
            }
        }

        return ReadVarintSlow();
    }

    /// <summary>Reads 8 little-endian bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadFixed64()
    {
        if (_end - _pos < 8)
        {
            RemoteWriteFormatException.Throw(_pos, "truncated fixed64");
        }

        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(_pos, 8));
        _pos += 8;
        return v;
    }

    /// <summary>Reads a length prefix and returns the absolute bounds of the payload, which it skips.</summary>
    public (int Start, int End) ReadLengthDelimited()
    {
        int at = _pos;
        ulong len = ReadVarint();
        if (len > (ulong)(_end - _pos))
        {
            RemoteWriteFormatException.Throw(at, $"length {len} runs past the end of the enclosing message ({_end - _pos} bytes left)");
        }

        int start = _pos;
        _pos += (int)len;
        return (start, _pos);
    }

    /// <summary>Offset of the last tag read, for error messages.</summary>
    public readonly int TagStart => _tagStart;

    /// <summary>Skips the value of a field whose tag was just read, for every wire type.</summary>
    public void SkipField(uint tag) => SkipField(tag, 0);

    private void SkipField(uint tag, int depth)
    {
        switch ((int)(tag & 7))
        {
            case WireVarint:
                ReadVarint();
                break;
            case WireFixed64:
                ReadFixed64();
                break;
            case WireLengthDelimited:
                ReadLengthDelimited();
                break;
            case WireFixed32:
                if (_end - _pos < 4)
                {
                    RemoteWriteFormatException.Throw(_pos, "truncated fixed32");
                }

                _pos += 4;
                break;
            case WireStartGroup:
                SkipGroup(tag >> 3, depth);
                break;
            case WireEndGroup:
                RemoteWriteFormatException.Throw(_tagStart, $"unexpected end-group for field {tag >> 3}");
                break;
            default:
                RemoteWriteFormatException.Throw(_tagStart, $"invalid wire type {tag & 7} for field {tag >> 3}");
                break;
        }
    }

    private void SkipGroup(uint field, int depth)
    {
        int at = _tagStart;
        if (depth >= MaxGroupDepth)
        {
            RemoteWriteFormatException.Throw(at, "groups nested too deeply");
        }

        while (TryReadTag(out uint tag))
        {
            if ((tag & 7) == WireEndGroup)
            {
                if ((tag >> 3) != field)
                {
                    RemoteWriteFormatException.Throw(_tagStart, $"end-group for field {tag >> 3} closes group {field}");
                }

                return;
            }

            SkipField(tag, depth + 1);
        }

        RemoteWriteFormatException.Throw(at, $"unterminated group {field}");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong ReadVarintSlow()
    {
        int start = _pos;
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= _end)
            {
                RemoteWriteFormatException.Throw(start, "truncated varint");
            }

            byte b = _data[_pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        RemoteWriteFormatException.Throw(start, "varint longer than 10 bytes");
        return 0;
    }
}
