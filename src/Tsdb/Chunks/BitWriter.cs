using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MetricsCluster.Tsdb.Chunks;

/// <summary>
/// Appends bits, most significant bit first, to a growable byte array: the writing half of
/// Prometheus' <c>bstream</c> (<c>docs/format/chunks.md</c>, "Bit stream"). The last byte is
/// zero-padded, so the written bytes are always a valid bit stream.
/// </summary>
/// <remarks>
/// A mutable struct meant to live in a field of its owner (G9): never copy it, and do not use a
/// <c>default</c> instance. Invariant: every bit after <see cref="BitLength"/> in the buffer is zero,
/// which lets the fast path OR new bits into the last byte and overwrite the bytes after it.
/// None of its methods are thread-safe.
/// </remarks>
public struct BitWriter
{
    // One unaligned 64-bit store plus one spill byte covers any write of up to 64 bits at any bit offset.
    private const int FastPathHeadroom = 9;

    private byte[] _buffer;
    private int _bitLength;

    /// <summary>Creates a writer that continues after the first <paramref name="bitLength"/> bits of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The buffer, owned by the writer from now on; every bit after <paramref name="bitLength"/> must be zero.</param>
    /// <param name="bitLength">Number of bits already written.</param>
    public BitWriter(byte[] buffer, int bitLength)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfNegative(bitLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bitLength, (long)buffer.Length * 8);
        _buffer = buffer;
        _bitLength = bitLength;
    }

    /// <summary>Number of bits written so far.</summary>
    public readonly int BitLength => _bitLength;

    /// <summary>Number of bytes holding written bits (the last one possibly zero-padded).</summary>
    public readonly int ByteLength => (int)(((uint)_bitLength + 7) >> 3);

    /// <summary>The underlying buffer; replaced when the writer grows, so do not keep it across writes.</summary>
    public readonly byte[] Buffer => _buffer;

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> WrittenSpan => new(_buffer, 0, ByteLength);

    /// <summary>Writes the low <paramref name="count"/> bits of <paramref name="value"/>, high bit first.</summary>
    /// <param name="value">The bits; bits above <paramref name="count"/> are ignored.</param>
    /// <param name="count">Number of bits, 1 to 64.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBits(ulong value, int count)
    {
        Debug.Assert(count is >= 1 and <= 64, "count must be in 1..64.");
        byte[] buffer = _buffer;
        int index = _bitLength >> 3;
        if ((uint)index + FastPathHeadroom <= (uint)buffer.Length)
        {
            int used = _bitLength & 7;

            // Left-align the value: this also drops the bits above count.
            ulong aligned = value << (64 - count);
            ref byte dst = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buffer), index);
            ulong word = ((ulong)dst << 56) | (aligned >> used);
            Unsafe.WriteUnaligned(ref dst, BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(word) : word);

            // The bits shifted out of the word go to the top of the ninth byte; two shifts keep used == 0 at zero.
            Unsafe.Add(ref dst, 8) = (byte)(((aligned << (63 - used)) << 1) >> 56);
            _bitLength += count;
        }
        else
        {
            WriteBitsSlow(value, count);
        }
    }

    /// <summary>Writes one bit.</summary>
    /// <param name="bit">True for 1.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBit(bool bit) => WriteBits(bit ? 1UL : 0UL, 1);

    /// <summary>Writes 8 bits; works at any bit position.</summary>
    /// <param name="value">The byte.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value) => WriteBits(value, 8);

    /// <summary>Shrinks the buffer to <see cref="ByteLength"/>; the next write grows it again.</summary>
    public void TrimExcess()
    {
        int length = ByteLength;
        if (_buffer.Length != length)
        {
            _buffer = _buffer.AsSpan(0, length).ToArray();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteBitsSlow(ulong value, int count)
    {
        int needed = (int)(((uint)_bitLength + (uint)count + 7) >> 3);
        if (needed > _buffer.Length)
        {
            Grow(needed);
        }

        if ((uint)(_bitLength >> 3) + FastPathHeadroom <= (uint)_buffer.Length)
        {
            WriteBits(value, count);
            return;
        }

        // The bits fit but the headroom does not (typically after TrimExcess): write exactly, a byte at a time.
        ulong aligned = value << (64 - count);
        while (count > 0)
        {
            int free = 8 - (_bitLength & 7);
            int n = Math.Min(free, count);
            _buffer[_bitLength >> 3] |= (byte)((aligned >> (64 - n)) << (free - n));
            aligned <<= n;
            count -= n;
            _bitLength += n;
        }
    }

    private void Grow(int needed)
    {
        // Doubling keeps appends amortised O(1); a 120-sample chunk settles after a few growths.
        int size = Math.Max(needed, _buffer.Length * 2);
        var bigger = new byte[size];
        _buffer.AsSpan(0, ByteLength).CopyTo(bigger);
        _buffer = bigger;
    }
}
