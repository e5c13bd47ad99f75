using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Wal;

/// <summary>
/// Encoders and decoders of the WAL record payloads (Prometheus tsdb/record/record.go; byte layout in
/// docs/format/wal.md). Encoders append into a buffer the caller owns (G9); decoders throw
/// <see cref="WalRecordException"/> naming the byte offset of malformed input.
/// </summary>
public static partial class WalRecords
{
    // Metadata field keys, exactly as Prometheus writes them.
    private static ReadOnlySpan<byte> UnitKey => "UNIT"u8;

    private static ReadOnlySpan<byte> HelpKey => "HELP"u8;

    /// <summary>The type of a record; <see cref="RecordType.Unknown"/> for empty input or types not listed in the enum.</summary>
    public static RecordType TypeOf(ReadOnlySpan<byte> record)
    {
        if (record.IsEmpty)
        {
            return RecordType.Unknown;
        }

        byte t = record[0];
        return t is >= (byte)RecordType.Series and <= (byte)RecordType.Metadata ? (RecordType)t : RecordType.Unknown;
    }

    /// <summary>Starts a series record (writes the type byte); follow with <see cref="AddSeries"/> calls.</summary>
    public static void BeginSeries(ref ValueBuffer dst) => WriteByte(ref dst, (byte)RecordType.Series);

    /// <summary>Appends one series: BE64 ref, uvarint label count, then (str name, str value) per label.</summary>
    public static void AddSeries(ref ValueBuffer dst, ulong seriesRef, Labels labels)
    {
        Span<byte> head = stackalloc byte[8 + Varint.MaxLength];
        BinaryPrimitives.WriteUInt64BigEndian(head, seriesRef);
        int n = 8 + Varint.PutUvarint(head.Slice(8), (ulong)labels.Count);
        dst.Write(head[..n]);

        // Our canonical label encoding is exactly the WAL's sequence of (str name, str value) pairs.
        dst.Write(labels.Bytes);
    }

    /// <summary>Starts a samples record (writes the type byte); follow with <see cref="AddSample"/> calls using a fresh state.</summary>
    public static void BeginSamples(ref ValueBuffer dst) => WriteByte(ref dst, (byte)RecordType.Samples);

    /// <summary>
    /// Appends one sample. The first sample of a record also writes the delta base (BE64 ref, BE64 t);
    /// every sample is varint(ref − first ref), varint(t − first t), BE64 value bits.
    /// </summary>
    public static void AddSample(ref ValueBuffer dst, ref SamplesEncoderState state, ulong seriesRef, long t, double v)
    {
        // 16 bytes of delta base, two varints of at most 10 bytes, 8 bytes of value.
        Span<byte> tmp = stackalloc byte[16 + (2 * Varint.MaxLength) + 8];
        int n = 0;
        if (!state.HasFirst)
        {
            state.FirstRef = seriesRef;
            state.FirstT = t;
            state.HasFirst = true;
            BinaryPrimitives.WriteUInt64BigEndian(tmp, seriesRef);
            BinaryPrimitives.WriteInt64BigEndian(tmp.Slice(8), t);
            n = 16;
        }

        // Wrapping arithmetic: the decoder adds the deltas back with the same wrap-around.
        n += Varint.PutVarint(tmp.Slice(n), (long)(seriesRef - state.FirstRef));
        n += Varint.PutVarint(tmp.Slice(n), t - state.FirstT);
        BinaryPrimitives.WriteUInt64BigEndian(tmp.Slice(n), BitConverter.DoubleToUInt64Bits(v));
        dst.Write(tmp[..(n + 8)]);
    }

    /// <summary>Writes a complete tombstones record: type byte, then BE64 ref, varint mint, varint maxt per stone.</summary>
    public static void EncodeTombstones(ref ValueBuffer dst, ReadOnlySpan<Tombstone> stones)
    {
        WriteByte(ref dst, (byte)RecordType.Tombstones);
        Span<byte> tmp = stackalloc byte[8 + (2 * Varint.MaxLength)];
        foreach (var s in stones)
        {
            BinaryPrimitives.WriteUInt64BigEndian(tmp, s.Ref);
            int n = 8 + Varint.PutVarint(tmp.Slice(8), s.MinT);
            n += Varint.PutVarint(tmp.Slice(n), s.MaxT);
            dst.Write(tmp[..n]);
        }
    }

    /// <summary>
    /// Writes a complete metadata record: type byte, then per entry uvarint ref, metric type byte,
    /// uvarint 2, str "UNIT", str unit, str "HELP", str help.
    /// </summary>
    public static void EncodeMetadata(ref ValueBuffer dst, ReadOnlySpan<RefMetadata> md)
    {
        WriteByte(ref dst, (byte)RecordType.Metadata);
        Span<byte> tmp = stackalloc byte[Varint.MaxLength + 2];
        foreach (var m in md)
        {
            int n = Varint.PutUvarint(tmp, m.Ref);
            tmp[n++] = m.Type;
            tmp[n++] = 2;
            dst.Write(tmp[..n]);
            WriteStr(ref dst, UnitKey);
            WriteStr(ref dst, m.Unit ?? string.Empty);
            WriteStr(ref dst, HelpKey);
            WriteStr(ref dst, m.Help ?? string.Empty);
        }
    }

    private static void WriteByte(ref ValueBuffer dst, byte b)
    {
        Span<byte> one = [b];
        dst.Write(one);
    }

    private static void WriteStr(ref ValueBuffer dst, ReadOnlySpan<byte> s)
    {
        Span<byte> len = stackalloc byte[Varint.MaxLength];
        dst.Write(len[..Varint.PutUvarint(len, (ulong)s.Length)]);
        dst.Write(s);
    }

    private static void WriteStr(ref ValueBuffer dst, string s)
    {
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        byte[]? rented = max > 512 ? ArrayPool<byte>.Shared.Rent(max) : null;
        try
        {
            Span<byte> buf = rented ?? stackalloc byte[512];
            int n = Encoding.UTF8.GetBytes(s, buf);
            WriteStr(ref dst, buf[..n]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
