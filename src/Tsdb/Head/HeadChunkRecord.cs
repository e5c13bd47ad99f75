using System.Buffers.Binary;
using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// Encodes one head chunk record (docs/format/head-chunks.md): series ref, mint, maxt (BE64 each), encoding byte,
/// uvarint data length, data, BE32 CRC32C of everything before it.
/// </summary>
internal static class HeadChunkRecord
{
    /// <summary>Series ref, mint, maxt and encoding: the fixed part before the length.</summary>
    internal const int MetaSize = 8 + 8 + 8 + 1;

    internal const int CrcSize = 4;

    /// <summary>Size of the record for <paramref name="dataLength"/> bytes of data.</summary>
    internal static int SizeOf(int dataLength) => MetaSize + UvarintSize((ulong)dataLength) + dataLength + CrcSize;

    /// <summary>Writes the record into <paramref name="dst"/>, which is exactly <see cref="SizeOf"/> long.</summary>
    internal static void Encode(Span<byte> dst, ulong seriesRef, long mint, long maxt, byte encoding, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteUInt64BigEndian(dst, seriesRef);
        BinaryPrimitives.WriteInt64BigEndian(dst[8..], mint);
        BinaryPrimitives.WriteInt64BigEndian(dst[16..], maxt);
        dst[24] = encoding;
        int pos = MetaSize;
        ulong v = (ulong)data.Length;
        while (v >= 0x80)
        {
            dst[pos++] = (byte)(v | 0x80);
            v >>= 7;
        }

        dst[pos++] = (byte)v;
        data.CopyTo(dst[pos..]);
        pos += data.Length;
        BinaryPrimitives.WriteUInt32BigEndian(dst[pos..], Crc32C.Compute(dst[..pos]));
    }

    /// <summary>Reads a uvarint; returns the bytes consumed, 0 when truncated or longer than 10 bytes.</summary>
    internal static int ReadUvarint(ReadOnlySpan<byte> src, out ulong value)
    {
        value = 0;
        for (int i = 0, shift = 0; i < src.Length && i < 10; i++, shift += 7)
        {
            value |= (ulong)(src[i] & 0x7F) << shift;
            if (src[i] < 0x80)
            {
                return i + 1;
            }
        }

        return 0;
    }

    private static int UvarintSize(ulong v)
    {
        int n = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            n++;
        }

        return n;
    }
}
