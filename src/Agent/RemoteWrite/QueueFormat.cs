using System.Buffers.Binary;
using System.Globalization;
using MetricsCluster.Core;

namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>
/// The bytes of the on-disk queue, exactly as docs/format/agent-queue.md specifies them (G8): segment
/// header, length + CRC32C framed records, and the samples payload.
/// </summary>
public static class QueueFormat
{
    /// <summary>Segment magic, ASCII "MCRQ".</summary>
    public const uint SegmentMagic = 0x4D435251;

    /// <summary>Format version written in segment and ack headers.</summary>
    public const byte Version = 1;

    /// <summary>Bytes before the first record of a segment.</summary>
    public const int SegmentHeaderSize = 8;

    /// <summary>Bytes before a record's payload: length and CRC.</summary>
    public const int RecordHeaderSize = 8;

    /// <summary>Record type of a samples batch; record types never reuse a value.</summary>
    public const byte SamplesRecord = 1;

    /// <summary>The file name of segment <paramref name="segment"/>.</summary>
    public static string SegmentName(int segment) => segment.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>Parses a segment file name; false for anything else in the directory.</summary>
    public static bool TryParseSegmentName(string fileName, out int segment) =>
        int.TryParse(fileName, NumberStyles.None, CultureInfo.InvariantCulture, out segment) && fileName.Length == 8;

    /// <summary>Writes the 8-byte segment header.</summary>
    public static void WriteSegmentHeader(Span<byte> dst)
    {
        BinaryPrimitives.WriteUInt32BigEndian(dst, SegmentMagic);
        dst[4] = Version;
        dst[5..8].Clear();
    }

    /// <summary>Whether <paramref name="src"/> starts with a segment header this code can read.</summary>
    public static bool IsSegmentHeader(ReadOnlySpan<byte> src) =>
        src.Length >= SegmentHeaderSize && BinaryPrimitives.ReadUInt32BigEndian(src) == SegmentMagic && src[4] == Version;

    /// <summary>Encodes one batch as a complete framed record (header and payload).</summary>
    public static byte[] EncodeRecord(IReadOnlyList<ScrapedSample> batch)
    {
        // Exact size first, so the record is one allocation that the writer hands to the file as is.
        int size = RecordHeaderSize + 1 + Varint.UvarintSize((ulong)batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            int labels = batch[i].Labels.Bytes.Length;
            long t = batch[i].TimestampMs;
            size += Varint.UvarintSize((ulong)labels) + labels + Varint.UvarintSize((ulong)((t << 1) ^ (t >> 63))) + 8;
        }

        byte[] buffer = new byte[size];
        Span<byte> payload = buffer.AsSpan(RecordHeaderSize);
        int pos = 0;
        payload[pos++] = SamplesRecord;
        pos += Varint.PutUvarint(payload[pos..], (ulong)batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            var s = batch[i];
            ReadOnlySpan<byte> labels = s.Labels.Bytes;
            pos += Varint.PutUvarint(payload[pos..], (ulong)labels.Length);
            labels.CopyTo(payload[pos..]);
            pos += labels.Length;
            pos += Varint.PutVarint(payload[pos..], s.TimestampMs);
            BinaryPrimitives.WriteInt64BigEndian(payload[pos..], BitConverter.DoubleToInt64Bits(s.Value));
            pos += 8;
        }

        BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)pos);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), Crc32C.Compute(payload[..pos]));
        return buffer;
    }

    /// <summary>Reads a record header: the payload length and its expected CRC.</summary>
    public static (uint Length, uint Crc) ReadRecordHeader(ReadOnlySpan<byte> src) =>
        (BinaryPrimitives.ReadUInt32BigEndian(src), BinaryPrimitives.ReadUInt32BigEndian(src[4..]));

    /// <summary>Decodes a samples payload (CRC already checked); false if it is malformed.</summary>
    /// <param name="payload">The record payload.</param>
    /// <param name="samples">Receives the samples, in record order.</param>
    /// <returns>Whether the whole payload decoded.</returns>
    public static bool TryDecodeSamples(ReadOnlySpan<byte> payload, List<ScrapedSample> samples)
    {
        if (payload.Length == 0 || payload[0] != SamplesRecord)
        {
            return false;
        }

        int pos = 1;
        if (!TryReadUvarint(payload, ref pos, out ulong count))
        {
            return false;
        }

        for (ulong i = 0; i < count; i++)
        {
            if (!TryReadUvarint(payload, ref pos, out ulong labelsLength) || labelsLength > (ulong)(payload.Length - pos))
            {
                return false;
            }

            var labels = Labels.FromEncoded(payload.Slice(pos, (int)labelsLength));
            pos += (int)labelsLength;
            if (!TryReadUvarint(payload, ref pos, out ulong zigzag) || payload.Length - pos < 8)
            {
                return false;
            }

            long timestamp = (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
            double value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(payload[pos..]));
            pos += 8;
            samples.Add(new ScrapedSample(labels, timestamp, value));
        }

        return pos == payload.Length;
    }

    private static bool TryReadUvarint(ReadOnlySpan<byte> src, ref int pos, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 70 && pos < src.Length; shift += 7)
        {
            byte b = src[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
