using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// The bytes of a results-cache entry in an external cache (docs/format/results-cache.md, G8): magic, version, the
/// full key (so a hash collision of the short cache key is detected), the extents, and a CRC32C of everything before it.
/// </summary>
public static class ExtentCodec
{
    /// <summary>"MCRC": metrics-cluster results cache.</summary>
    public const uint Magic = 0x4D435243;

    /// <summary>The format version written.</summary>
    public const byte Version = 1;

    /// <summary>Encodes <paramref name="extents"/> stored under <paramref name="key"/> into <paramref name="dst"/>.</summary>
    public static void Encode(string key, IReadOnlyList<Extent> extents, IBufferWriter<byte> dst)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(extents);
        ArgumentNullException.ThrowIfNull(dst);
        var buf = new ArrayBufferWriter<byte>();
        BinaryPrimitives.WriteUInt32BigEndian(buf.GetSpan(4), Magic);
        buf.Advance(4);
        buf.GetSpan(1)[0] = Version;
        buf.Advance(1);
        Bytes(buf, Encoding.UTF8.GetBytes(key));
        Uvarint(buf, (ulong)extents.Count);
        foreach (var e in extents)
        {
            Svarint(buf, e.Start);
            Svarint(buf, e.End);
            Uvarint(buf, (ulong)e.Series.Count);
            foreach (var s in e.Series)
            {
                Bytes(buf, s.Metric.Bytes);
                buf.GetSpan(1)[0] = s.DropName ? (byte)1 : (byte)0;
                buf.Advance(1);
                Uvarint(buf, (ulong)s.Floats.Count);
                long prev = e.Start;
                foreach (var p in s.Floats)
                {
                    // Timestamps as deltas from the previous point (from the extent's start for the first).
                    Svarint(buf, p.T - prev);
                    prev = p.T;
                    BinaryPrimitives.WriteUInt64LittleEndian(buf.GetSpan(8), BitConverter.DoubleToUInt64Bits(p.F));
                    buf.Advance(8);
                }
            }
        }

        BinaryPrimitives.WriteUInt32LittleEndian(buf.GetSpan(4), Crc32C.Compute(buf.WrittenSpan));
        buf.Advance(4);
        dst.Write(buf.WrittenSpan);
    }

    /// <summary>
    /// Decodes an entry; false when the bytes are not a valid entry of this version (corrupt, truncated, another
    /// format) or were stored under another key. A false is a cache miss, never an error.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> src, string key, out IReadOnlyList<Extent> extents)
    {
        extents = [];
        if (src.Length < 9 || BinaryPrimitives.ReadUInt32BigEndian(src) != Magic || src[4] != Version
            || BinaryPrimitives.ReadUInt32LittleEndian(src[^4..]) != Crc32C.Compute(src[..^4]))
        {
            return false;
        }

        var r = new Reader(src[5..^4]);
        if (!r.Bytes(out var storedKey) || !storedKey.SequenceEqual(Encoding.UTF8.GetBytes(key)) || !r.Uvarint(out ulong count))
        {
            return false;
        }

        var list = new List<Extent>();
        for (ulong i = 0; i < count; i++)
        {
            if (!TryDecodeExtent(ref r, out var extent))
            {
                return false;
            }

            list.Add(extent);
        }

        extents = list;
        return r.AtEnd;
    }

    private static bool TryDecodeExtent(ref Reader r, out Extent extent)
    {
        extent = null!;
        if (!r.Svarint(out long start) || !r.Svarint(out long end) || !r.Uvarint(out ulong seriesCount))
        {
            return false;
        }

        var series = new List<Series>();
        for (ulong i = 0; i < seriesCount; i++)
        {
            if (!r.Bytes(out var labels) || !r.Byte(out byte dropName) || !r.Uvarint(out ulong points) || points > (ulong)r.Remaining / 9)
            {
                return false;
            }

            var floats = new List<FPoint>((int)points);
            long t = start;
            for (ulong k = 0; k < points; k++)
            {
                if (!r.Svarint(out long delta) || !r.UInt64(out ulong bits))
                {
                    return false;
                }

                t += delta;
                floats.Add(new FPoint(t, BitConverter.UInt64BitsToDouble(bits)));
            }

            series.Add(new Series(Labels.FromEncoded(labels), floats, dropName != 0));
        }

        extent = new Extent(start, end, series);
        return true;
    }

    private static void Uvarint(ArrayBufferWriter<byte> buf, ulong v) => buf.Advance(Varint.PutUvarint(buf.GetSpan(Varint.MaxLength), v));

    private static void Svarint(ArrayBufferWriter<byte> buf, long v) => buf.Advance(Varint.PutVarint(buf.GetSpan(Varint.MaxLength), v));

    private static void Bytes(ArrayBufferWriter<byte> buf, ReadOnlySpan<byte> bytes)
    {
        Uvarint(buf, (ulong)bytes.Length);
        buf.Write(bytes);
    }

    /// <summary>A bounds-checked reader; every method returns false instead of reading past the end.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public readonly bool AtEnd => _data.IsEmpty;

        public readonly int Remaining => _data.Length;

        public bool Uvarint(out ulong v)
        {
            v = 0;
            for (int i = 0, shift = 0; i < _data.Length && i < 10; i++, shift += 7)
            {
                byte b = _data[i];
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    _data = _data[(i + 1)..];
                    return true;
                }
            }

            return false;
        }

        public bool Svarint(out long v)
        {
            bool ok = Uvarint(out ulong u);
            v = (long)(u >> 1) ^ -(long)(u & 1);
            return ok;
        }

        public bool Byte(out byte b)
        {
            b = 0;
            if (_data.IsEmpty)
            {
                return false;
            }

            b = _data[0];
            _data = _data[1..];
            return true;
        }

        public bool UInt64(out ulong v)
        {
            v = 0;
            if (_data.Length < 8)
            {
                return false;
            }

            v = BinaryPrimitives.ReadUInt64LittleEndian(_data);
            _data = _data[8..];
            return true;
        }

        public bool Bytes(out ReadOnlySpan<byte> bytes)
        {
            bytes = default;
            if (!Uvarint(out ulong n) || n > (ulong)_data.Length)
            {
                return false;
            }

            bytes = _data[..(int)n];
            _data = _data[(int)n..];
            return true;
        }
    }
}
