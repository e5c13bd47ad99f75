using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MetricsCluster.Tools.LoadGen;

/// <summary>
/// Appends protobuf wire-format pieces into a span the caller owns (G9). Writing past the end of
/// the span throws <see cref="IndexOutOfRangeException"/>: callers size the span with
/// <see cref="VarintSize"/> and the fixed field sizes, so that never happens in practice.
/// </summary>
internal ref struct ProtoWriter
{
    /// <summary>Key of a length-delimited field 1 (<c>WriteRequest.timeseries</c>, <c>TimeSeries.labels</c>, <c>Label.name</c>).</summary>
    public const byte Field1Bytes = (1 << 3) | 2;

    /// <summary>Key of a length-delimited field 2 (<c>TimeSeries.samples</c>, <c>Label.value</c>).</summary>
    public const byte Field2Bytes = (2 << 3) | 2;

    /// <summary>Key of <c>Sample.value</c> (field 1, fixed64).</summary>
    public const byte SampleValueKey = (1 << 3) | 1;

    /// <summary>Key of <c>Sample.timestamp</c> (field 2, varint).</summary>
    public const byte SampleTimestampKey = (2 << 3) | 0;

    private readonly Span<byte> _buffer;
    private int _position;

    public ProtoWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Position => _position;

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    /// <summary>Number of bytes <paramref name="value"/> takes as an unsigned LEB128 varint (1..10).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int VarintSize(ulong value) => ((64 - BitOperations.LeadingZeroCount(value | 1)) + 6) / 7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value) => _buffer[_position++] = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarint(ulong value)
    {
        if (value < 0x80)
        {
            _buffer[_position++] = (byte)value;
        }
        else
        {
            WriteVarintSlow(value);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteVarintSlow(ulong value)
    {
        Span<byte> dst = _buffer[_position..];
        int i = 0;
        while (value >= 0x80)
        {
            dst[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        dst[i++] = (byte)value;
        _position += i;
    }

    /// <summary>Writes a double as protobuf fixed64 (little-endian IEEE-754 bits, NaN payload kept).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.Slice(_position, 8), value);
        _position += 8;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteRaw(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
    }

    /// <summary>Writes <c>key, uvarint(length), bytes</c>.</summary>
    public void WriteLengthDelimited(byte key, scoped ReadOnlySpan<byte> bytes)
    {
        WriteByte(key);
        WriteVarint((ulong)bytes.Length);
        WriteRaw(bytes);
    }
}
