using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MetricsCluster.Tsdb.Chunks;

/// <summary>
/// Reads bits, most significant bit first, from a span: the reading half of Prometheus'
/// <c>bstream</c>. The whole state is one bit position, so a reader can be rebuilt cheaply around a
/// span on every call (<see cref="XorIterator"/> keeps only <see cref="BitPosition"/>).
/// </summary>
/// <remarks>
/// Errors are sticky (G9): a read past the end returns 0, leaves the position unchanged and sets
/// <see cref="Overrun"/>, which the caller checks once after a group of reads. Nothing here throws.
/// </remarks>
public ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private long _position;
    private bool _overrun;

    /// <summary>Creates a reader positioned at <paramref name="bitPosition"/>.</summary>
    /// <param name="data">The bytes to read.</param>
    /// <param name="bitPosition">Bit offset from the start of <paramref name="data"/>.</param>
    public BitReader(ReadOnlySpan<byte> data, long bitPosition = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bitPosition);
        _data = data;
        _position = bitPosition;
    }

    /// <summary>Bit offset of the next read.</summary>
    public readonly long BitPosition => _position;

    /// <summary>True once any read went past the end of the data.</summary>
    public readonly bool Overrun => _overrun;

    /// <summary>Reads <paramref name="count"/> bits and returns them in the low bits of the result.</summary>
    /// <param name="count">Number of bits, 1 to 64.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadBits(int count)
    {
        Debug.Assert(count is >= 1 and <= 64, "count must be in 1..64.");
        long position = _position;
        long index = position >> 3;

        // Fast path: one big-endian load holds any request of up to 64 − 7 bits; a ninth byte covers the rest.
        if (index + 8 <= _data.Length)
        {
            ref byte start = ref Unsafe.Add(ref MemoryMarshal.GetReference(_data), (nint)index);
            ulong word = Unsafe.ReadUnaligned<ulong>(ref start);
            if (BitConverter.IsLittleEndian)
            {
                word = BinaryPrimitives.ReverseEndianness(word);
            }

            int shift = (int)(position & 7);
            word <<= shift;
            if (count + shift > 64)
            {
                if (index + 9 > _data.Length)
                {
                    return ReadBitsSlow(count);
                }

                word |= (ulong)Unsafe.Add(ref start, 8) >> (8 - shift);
            }

            _position = position + count;
            return word >> (64 - count);
        }

        return ReadBitsSlow(count);
    }

    /// <summary>Reads one bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ReadBit()
    {
        long position = _position;
        long index = position >> 3;
        if ((ulong)index < (ulong)_data.Length)
        {
            _position = position + 1;
            return ((_data[(int)index] << (int)(position & 7)) & 0x80) != 0;
        }

        _overrun = true;
        return false;
    }

    /// <summary>Reads 8 bits at any bit position.</summary>
    public byte ReadByte() => (byte)ReadBits(8);

    /// <summary>
    /// Reads an unsigned LEB128 varint the way Go's <c>binary.ReadUvarint</c> does: at most 10 bytes,
    /// and the 10th byte may only be 0 or 1.
    /// </summary>
    /// <param name="value">The decoded value.</param>
    /// <returns>False on overflow or when the data ends first (then <see cref="Overrun"/> is also set).</returns>
    public bool TryReadUvarint(out ulong value)
    {
        value = 0;
        int shift = 0;
        for (int i = 0; i < 10; i++)
        {
            byte b = ReadByte();
            if (_overrun)
            {
                return false;
            }

            if (b < 0x80)
            {
                if (i == 9 && b > 1)
                {
                    return false;
                }

                value |= (ulong)b << shift;
                return true;
            }

            value |= (ulong)(b & 0x7F) << shift;
            shift += 7;
        }

        return false;
    }

    /// <summary>Reads a zig-zag varint (Go's <c>binary.ReadVarint</c>).</summary>
    /// <param name="value">The decoded value.</param>
    /// <returns>False on overflow or truncation.</returns>
    public bool TryReadVarint(out long value)
    {
        bool ok = TryReadUvarint(out ulong u);
        value = (long)(u >> 1) ^ -(long)(u & 1);
        return ok;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong ReadBitsSlow(int count)
    {
        long position = _position;
        if (position + count > (long)_data.Length * 8)
        {
            _overrun = true;
            return 0;
        }

        // Within the last 8 bytes of the data: assemble the bits piecewise.
        ulong result = 0;
        while (count > 0)
        {
            int used = (int)(position & 7);
            int n = Math.Min(8 - used, count);
            uint b = (uint)(byte)(_data[(int)(position >> 3)] << used) >> (8 - n);
            result = (result << n) | b;
            position += n;
            count -= n;
        }

        _position = position;
        return result;
    }
}
