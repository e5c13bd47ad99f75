using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MetricsCluster.Tsdb.Chunks;

/// <summary>
/// Appendable Gorilla XOR float chunk, byte for byte the same as Prometheus' <c>XORChunk</c>
/// (format in <c>docs/format/chunks.md</c>): delta-of-delta timestamps and XOR-compressed values.
/// None of its methods are thread-safe (the owner locks).
/// </summary>
/// <remarks>
/// Memory per series matters, so the buffer starts small, doubles when full and can be trimmed
/// with <see cref="TrimExcess"/> once the chunk is closed. <see cref="Append"/> allocates only when
/// the buffer grows.
/// </remarks>
public sealed class XorChunk
{
    /// <summary>Prometheus cuts float chunks at 120 samples; the owner is expected to do the same.</summary>
    public const int MaxSamplesPerChunk = 120;

    // BE16 sample count.
    private const int HeaderBytes = 2;

    // Go's appender marks "no window yet" with leading = 0xff; any value outside 0..31 works.
    private const int NoWindow = -1;

    private BitWriter _writer;
    private int _numSamples;
    private long _minTime = long.MaxValue;
    private long _t = long.MinValue;
    private ulong _tDelta;
    private ulong _valueBits;
    private int _leading = NoWindow;
    private int _trailing;

    /// <summary>Creates an empty chunk.</summary>
    /// <param name="initialCapacity">Initial buffer size in bytes (at least the 2-byte header is used).</param>
    public XorChunk(int initialCapacity = 32)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _writer = new BitWriter(new byte[Math.Max(initialCapacity, HeaderBytes)], HeaderBytes * 8);
    }

    private XorChunk(BitWriter writer) => _writer = writer;

    /// <summary>Number of samples in the chunk.</summary>
    public int NumSamples => _numSamples;

    /// <summary>Timestamp of the first sample; <see cref="long.MaxValue"/> when empty.</summary>
    public long MinTime => _minTime;

    /// <summary>Timestamp of the last sample; <see cref="long.MinValue"/> when empty.</summary>
    public long MaxTime => _t;

    /// <summary>Value of the last sample, with its NaN payload (a stale marker stays one); 0 when empty.</summary>
    public double LastValue => BitConverter.UInt64BitsToDouble(_valueBits);

    /// <summary>
    /// The chunk data exactly as stored in a chunk segment file: BE16 sample count, then the bit
    /// stream up to the last byte that holds bits. Valid until the next <see cref="Append"/>.
    /// </summary>
    public ReadOnlySpan<byte> Bytes => _writer.WrittenSpan;

    /// <summary>Length of <see cref="Bytes"/>.</summary>
    public int SizeInBytes => _writer.ByteLength;

    /// <summary>
    /// <see cref="Bytes"/> as memory over the internal buffer, to iterate without a copy (for
    /// <see cref="XorIterator.Reset"/>). Valid until the next <see cref="Append"/>, which rewrites the
    /// header in place: iterate under the owner's lock, or take <see cref="ToArray"/> instead.
    /// </summary>
    public ReadOnlyMemory<byte> AsMemory() => new(_writer.Buffer, 0, _writer.ByteLength);

    /// <summary>Appends a sample; the caller guarantees <paramref name="t"/> &gt; <see cref="MaxTime"/> when the chunk is not empty.</summary>
    /// <param name="t">Timestamp in ms.</param>
    /// <param name="v">Value; NaN payloads are stored bit for bit.</param>
    /// <exception cref="InvalidOperationException">The chunk already holds 65535 samples (the header limit).</exception>
    public void Append(long t, double v)
    {
        ulong valueBits = BitConverter.DoubleToUInt64Bits(v);
        int num = _numSamples;
        if (num == ushort.MaxValue)
        {
            ThrowFull();
        }

        if (num >= 2)
        {
            AppendDelta(t, valueBits);
        }
        else if (num == 0)
        {
            AppendFirst(t, valueBits);
        }
        else
        {
            AppendSecond(t, valueBits);
        }

        _t = t;
        _valueBits = valueBits;
        _numSamples = num + 1;
        BinaryPrimitives.WriteUInt16BigEndian(_writer.Buffer, (ushort)(num + 1));
    }

    /// <summary>Returns an exact-size copy of <see cref="Bytes"/>.</summary>
    public byte[] ToArray() => Bytes.ToArray();

    /// <summary>Shrinks the buffer to <see cref="SizeInBytes"/>; call when the chunk is closed.</summary>
    public void TrimExcess() => _writer.TrimExcess();

    /// <summary>
    /// Re-opens encoded chunk data for more appends: decodes it to restore the appender state, so
    /// appending afterwards produces the same bytes as appending everything to one chunk.
    /// </summary>
    /// <param name="data">Chunk data; bytes after the last sample are ignored.</param>
    /// <exception cref="InvalidDataException">The data is truncated or corrupt.</exception>
    public static XorChunk FromBytes(ReadOnlySpan<byte> data)
    {
        var it = new XorIterator(data.ToArray());
        long minTime = long.MaxValue;
        bool first = true;
        while (it.Next())
        {
            if (first)
            {
                minTime = it.T;
                first = false;
            }
        }

        if (it.Error is not null)
        {
            throw new InvalidDataException("Cannot re-open XOR chunk: " + it.Error.Message, it.Error);
        }

        int bitLength = (int)it.BitPosition;
        int byteLength = (bitLength + 7) >> 3;
        // Some headroom so the next append does not grow the buffer straight away.
        var buffer = new byte[Math.Max(32, byteLength + 16)];
        data[..byteLength].CopyTo(buffer);

        // Clear any stray bits after the last sample: the writer ORs new bits into that byte.
        if ((bitLength & 7) != 0)
        {
            buffer[byteLength - 1] &= (byte)(0xFF << (8 - (bitLength & 7)));
        }

        return new XorChunk(new BitWriter(buffer, bitLength))
        {
            _numSamples = it.NumSamples,
            _minTime = minTime,
            _t = it.NumSamples > 0 ? it.T : long.MinValue,
            _tDelta = it.TDelta,
            _valueBits = it.ValueBits,

            // Only a window the writer itself opened may be reused; without one the next non-zero
            // XOR opens a new window, exactly as a fresh appender would.
            _leading = it.WindowOpened ? it.Leading : NoWindow,
            _trailing = it.WindowOpened ? it.Trailing : 0,
        };
    }

    private void AppendFirst(long t, ulong valueBits)
    {
        // The stream is byte-aligned after the header, so byte writes here are plain bytes.
        WriteUvarint(unchecked((ulong)((t << 1) ^ (t >> 63))));
        _writer.WriteBits(valueBits, 64);
        _minTime = t;
    }

    private void AppendSecond(long t, ulong valueBits)
    {
        ulong tDelta = unchecked((ulong)(t - _t));
        WriteUvarint(tDelta);
        WriteValue(valueBits);
        _tDelta = tDelta;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AppendDelta(long t, ulong valueBits)
    {
        ulong tDelta = unchecked((ulong)(t - _t));
        long dod = unchecked((long)(tDelta - _tDelta));
        if (dod == 0)
        {
            _writer.WriteBits(0, 1);
        }
        else if (FitsBucket(dod, 14))
        {
            _writer.WriteBits((0b10UL << 14) | ((ulong)dod & 0x3FFF), 2 + 14);
        }
        else if (FitsBucket(dod, 17))
        {
            _writer.WriteBits((0b110UL << 17) | ((ulong)dod & 0x1FFFF), 3 + 17);
        }
        else if (FitsBucket(dod, 20))
        {
            _writer.WriteBits((0b1110UL << 20) | ((ulong)dod & 0xFFFFF), 4 + 20);
        }
        else
        {
            _writer.WriteBits(0b1111, 4);
            _writer.WriteBits((ulong)dod, 64);
        }

        WriteValue(valueBits);
        _tDelta = tDelta;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteValue(ulong valueBits)
    {
        ulong delta = valueBits ^ _valueBits;
        if (delta == 0)
        {
            _writer.WriteBits(0, 1);
            return;
        }

        // Leading zeros are capped at 31 so they fit the 5-bit field.
        int leading = Math.Min(BitOperations.LeadingZeroCount(delta), 31);
        int trailing = BitOperations.TrailingZeroCount(delta);
        if (_leading != NoWindow && leading >= _leading && trailing >= _trailing)
        {
            // Prefix '10' reuses the window.
            int significant = 64 - _leading - _trailing;
            if (significant <= 62)
            {
                _writer.WriteBits((0b10UL << significant) | (delta >> _trailing), 2 + significant);
            }
            else
            {
                _writer.WriteBits(0b10, 2);
                _writer.WriteBits(delta >> _trailing, significant);
            }

            return;
        }

        WriteNewWindow(delta, leading, trailing);
    }

    private void WriteNewWindow(ulong delta, int leading, int trailing)
    {
        _leading = leading;
        _trailing = trailing;

        // Header '11' · 5 bits leading · 6 bits significant (64 is written as 0): 13 bits.
        int significant = 64 - leading - trailing;
        ulong header = (0b11UL << 11) | ((ulong)leading << 6) | ((ulong)significant & 0x3F);
        if (significant <= 64 - 13)
        {
            _writer.WriteBits((header << significant) | (delta >> trailing), 13 + significant);
        }
        else
        {
            _writer.WriteBits(header, 13);
            _writer.WriteBits(delta >> trailing, significant);
        }
    }

    private void WriteUvarint(ulong value)
    {
        while (value >= 0x80)
        {
            _writer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _writer.WriteByte((byte)value);
    }

    // Go's bitRange: −(2^(n−1) − 1) ≤ x ≤ 2^(n−1), as one unsigned comparison that also handles wrap-around.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool FitsBucket(long x, int bits) =>
        unchecked((ulong)(x + ((1L << (bits - 1)) - 1))) <= (ulong)((1L << bits) - 1);

    [DoesNotReturn]
    private static void ThrowFull() =>
        throw new InvalidOperationException("XOR chunk already holds 65535 samples, the most its 16-bit header can count.");
}
