using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace MetricsCluster.Cluster.Payload;

/// <summary>
/// A protobuf reader over a span for the hand-decoded hot path (G10). Malformed input throws
/// <see cref="FormatException"/> (the server answers 400). Not thread-safe.
/// </summary>
internal ref struct WireReader
{
    /// <summary>Wire type of varints.</summary>
    public const int Varint = 0;

    /// <summary>Wire type of 8-byte values.</summary>
    public const int Fixed64 = 1;

    /// <summary>Wire type of length-delimited values.</summary>
    public const int LengthDelimited = 2;

    /// <summary>Wire type of 4-byte values.</summary>
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    /// <summary>Creates a reader over <paramref name="data"/>.</summary>
    public WireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    /// <summary>Whether every byte was read.</summary>
    public readonly bool End => _pos >= _data.Length;

    /// <summary>Reads a field tag; returns the field number and the wire type.</summary>
    public int ReadTag(out int wireType)
    {
        ulong tag = ReadVarint();
        wireType = (int)(tag & 7);
        int field = (int)(tag >> 3);
        if (field == 0 || tag >> 3 > int.MaxValue)
        {
            ThrowFormat("invalid field number");
        }

        return field;
    }

    /// <summary>Reads a base-128 varint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarint()
    {
        if (_pos < _data.Length && _data[_pos] < 0x80)
        {
            return _data[_pos++];
        }

        return ReadVarintSlow();
    }

    /// <summary>Reads a little-endian 8-byte value.</summary>
    public ulong ReadFixed64()
    {
        if (_data.Length - _pos < 8)
        {
            ThrowFormat("truncated fixed64");
        }

        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(_data[_pos..]);
        _pos += 8;
        return v;
    }

    /// <summary>Reads a length-delimited value; the span is a slice of the input.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong len = ReadVarint();
        if (len > (ulong)(_data.Length - _pos))
        {
            ThrowFormat("length-delimited field runs past the end of its message");
        }

        var s = _data.Slice(_pos, (int)len);
        _pos += (int)len;
        return s;
    }

    /// <summary>Skips a value of <paramref name="wireType"/> (unknown fields are ignored, as protobuf requires).</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint: ReadVarint(); break;
            case Fixed64: ReadFixed64(); break;
            case LengthDelimited: ReadBytes(); break;
            case Fixed32:
                if (_data.Length - _pos < 4)
                {
                    ThrowFormat("truncated fixed32");
                }

                _pos += 4;
                break;
            default: ThrowFormat($"unsupported wire type {wireType}"); break;
        }
    }

    /// <summary>Throws the decoding error.</summary>
    [DoesNotReturn]
    public static void ThrowFormat(string message) => throw new FormatException("malformed protobuf: " + message);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong ReadVarintSlow()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= _data.Length)
            {
                ThrowFormat("truncated varint");
            }

            byte b = _data[_pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        ThrowFormat("varint longer than 10 bytes");
        return 0;
    }
}
