using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.Tsdb.Chunks;

/// <summary>
/// Iterates an encoded XOR chunk (Prometheus <c>xorIterator</c>; format in <c>docs/format/chunks.md</c>).
/// Reusable through <see cref="Reset"/> without allocating; none of its methods are thread-safe.
/// </summary>
/// <remarks>
/// The sample count comes from the BE16 header and bytes after the last sample are ignored, as
/// Prometheus does (old chunks carry a trailing zero byte). Truncated or corrupt data never throws:
/// <see cref="Next"/> returns false and <see cref="Error"/> says why.
/// </remarks>
public sealed class XorIterator : SampleIterator
{
    // The bit stream starts after the BE16 sample count.
    private const int HeaderBits = 16;

    private ReadOnlyMemory<byte> _data;
    private long _bitPosition;
    private int _numTotal;
    private int _numRead;
    private long _t;
    private ulong _tDelta;
    private ulong _valueBits;
    private int _leading;
    private int _trailing;
    private bool _windowOpened;
    private bool _hasCurrent;
    private Exception? _error;

    /// <summary>Creates an iterator with no samples; call <see cref="Reset"/> to use it.</summary>
    public XorIterator()
    {
    }

    /// <summary>Creates an iterator over an encoded chunk.</summary>
    /// <param name="data">Chunk data: BE16 sample count and the bit stream; must not change while iterating.</param>
    public XorIterator(ReadOnlyMemory<byte> data) => Reset(data);

    /// <inheritdoc/>
    public override long T => _t;

    /// <inheritdoc/>
    /// <remarks>Built from the stored bits, so NaN payloads (stale markers) are kept.</remarks>
    public override double V => BitConverter.UInt64BitsToDouble(_valueBits);

    /// <inheritdoc/>
    public override Exception? Error => _error;

    /// <summary>Number of samples the chunk header announces.</summary>
    public int NumSamples => _numTotal;

    // Decoder state that XorChunk.FromBytes hands to a re-opened appender.
    internal long BitPosition => _bitPosition;

    internal ulong TDelta => _tDelta;

    internal ulong ValueBits => _valueBits;

    internal int Leading => _leading;

    internal int Trailing => _trailing;

    internal bool WindowOpened => _windowOpened;

    /// <summary>Restarts the iterator over another chunk without allocating.</summary>
    /// <param name="data">Chunk data: BE16 sample count and the bit stream; must not change while iterating.</param>
    public void Reset(ReadOnlyMemory<byte> data)
    {
        _data = data;
        _bitPosition = HeaderBits;
        _numRead = 0;
        _t = 0;
        _tDelta = 0;
        _valueBits = 0;
        _leading = 0;
        _trailing = 0;
        _windowOpened = false;
        _hasCurrent = false;
        _error = null;
        if (data.Length < 2)
        {
            _numTotal = 0;
            _error = new InvalidDataException($"XOR chunk is {data.Length} bytes, shorter than its 2-byte header.");
            return;
        }

        _numTotal = BinaryPrimitives.ReadUInt16BigEndian(data.Span);
    }

    /// <inheritdoc/>
    public override bool Next()
    {
        if (_numRead >= _numTotal || _error is not null)
        {
            _hasCurrent = false;
            return false;
        }

        var reader = new BitReader(_data.Span, _bitPosition);
        bool ok = _numRead switch
        {
            0 => ReadFirst(ref reader),
            1 => ReadSecond(ref reader),
            _ => ReadDelta(ref reader),
        };

        // The sticky overrun flag is checked once per sample (G9).
        if (reader.Overrun || !ok)
        {
            return Fail(reader.Overrun ? "ends early" : "is corrupt");
        }

        _bitPosition = reader.BitPosition;
        _numRead++;
        _hasCurrent = true;
        return true;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Prometheus semantics: if the current sample already has a timestamp ≥ <paramref name="t"/>
    /// the iterator does not move. After the end, or on error, it returns false.
    /// </remarks>
    public override bool Seek(long t)
    {
        if (_hasCurrent && _t >= t)
        {
            return true;
        }

        while (Next())
        {
            if (_t >= t)
            {
                return true;
            }
        }

        return false;
    }

    private bool ReadFirst(ref BitReader reader)
    {
        if (!reader.TryReadVarint(out long t))
        {
            return false;
        }

        _t = t;
        _valueBits = reader.ReadBits(64);
        return true;
    }

    private bool ReadSecond(ref BitReader reader)
    {
        if (!reader.TryReadUvarint(out ulong tDelta))
        {
            return false;
        }

        _tDelta = tDelta;
        _t = unchecked(_t + (long)tDelta);
        return ReadValue(ref reader);
    }

    private bool ReadDelta(ref BitReader reader)
    {
        // Prefix '0', '10', '110', '1110' or '1111' selects 0, 14, 17, 20 or 64 bits of delta-of-delta.
        long dod;
        if (!reader.ReadBit())
        {
            dod = 0;
        }
        else if (!reader.ReadBit())
        {
            dod = SignExtend(reader.ReadBits(14), 14);
        }
        else if (!reader.ReadBit())
        {
            dod = SignExtend(reader.ReadBits(17), 17);
        }
        else if (!reader.ReadBit())
        {
            dod = SignExtend(reader.ReadBits(20), 20);
        }
        else
        {
            dod = (long)reader.ReadBits(64);
        }

        // Wrapping arithmetic, as in Go, so the full int64 range round-trips.
        _tDelta = unchecked((ulong)((long)_tDelta + dod));
        _t = unchecked(_t + (long)_tDelta);
        return ReadValue(ref reader);
    }

    private bool ReadValue(ref BitReader reader)
    {
        if (!reader.ReadBit())
        {
            return true;
        }

        if (reader.ReadBit())
        {
            // A new window: 5 bits of leading zeros, 6 bits of significant bits (0 means 64).
            int leading = (int)reader.ReadBits(5);
            int significant = (int)reader.ReadBits(6);
            if (significant == 0)
            {
                significant = 64;
            }

            int trailing = 64 - leading - significant;
            if (trailing < 0)
            {
                // Prometheus would silently decode garbage here; a valid writer never produces it.
                return false;
            }

            _leading = leading;
            _trailing = trailing;
            _windowOpened = true;
        }

        ulong bits = reader.ReadBits(64 - _leading - _trailing);
        _valueBits ^= bits << _trailing;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long SignExtend(ulong raw, int bits)
    {
        // The buckets hold −(2^(n−1) − 1) … 2^(n−1), so only raw values above 2^(n−1) are negative.
        return raw > (1UL << (bits - 1)) ? (long)raw - (1L << bits) : (long)raw;
    }

    private bool Fail(string what)
    {
        _hasCurrent = false;
        _error = new InvalidDataException(
            $"XOR chunk {what}: sample {_numRead} of {_numTotal}, bit offset {_bitPosition}, {_data.Length} bytes.");
        return false;
    }
}
