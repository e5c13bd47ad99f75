using System.Buffers.Binary;
using MetricsCluster.Core;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// Re-seals the CRC32C checksums of a mutated WAL segment or index. Nearly every mutant of a checksummed format
/// fails its CRC and never reaches the decoder behind it; a coverage-free fuzzer cannot learn to fix the CRC, so the
/// targets run each input twice, as mutated and with its checksums recomputed where the framing still parses.
/// </summary>
internal static class ChecksumFixup
{
    private const int WalPageSize = 32 * 1024;
    private const int WalHeaderSize = 7;
    private const int TocSize = 52;

    /// <summary>Recomputes the CRC of every WAL fragment whose header and data fit its page.</summary>
    public static byte[] WalSegment(ReadOnlySpan<byte> input)
    {
        byte[] b = input.ToArray();
        for (int page = 0; page < b.Length; page += WalPageSize)
        {
            int end = Math.Min(page + WalPageSize, b.Length);
            for (int i = page; i + WalHeaderSize <= end && (b[i] & 0x07) != 0;)
            {
                int len = BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i + 1));
                if (i + WalHeaderSize + len > end)
                {
                    break;
                }

                BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(i + 3), Crc32C.Compute(b.AsSpan(i + WalHeaderSize, len)));
                i += WalHeaderSize + len;
            }
        }

        return b;
    }

    /// <summary>Recomputes the CRCs of the index TOC, symbol table, series entries, postings lists and offset tables.</summary>
    public static byte[] Index(ReadOnlySpan<byte> input)
    {
        byte[] b = input.ToArray();
        if (b.Length < 5 + TocSize)
        {
            return b;
        }

        int toc = b.Length - TocSize;
        long[] o = new long[6];
        for (int i = 0; i < o.Length; i++)
        {
            ulong v = BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(toc + (8 * i)));
            o[i] = v < (ulong)toc ? (long)v : -1;
        }

        // TOC order: symbols, series, label indices, label indices table, postings, postings table.
        SealBe32Section(b, o[0], toc);
        SealSeries(b, o[1], NextSection(o, o[1], toc));
        SealBe32Section(b, o[3], toc);
        SealPostings(b, o[4], NextSection(o, o[4], toc));
        SealBe32Section(b, o[5], toc);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(toc + 48), Crc32C.Compute(b.AsSpan(toc, 48)));
        return b;
    }

    private static long NextSection(long[] offsets, long start, int toc) =>
        offsets.Where(x => x > start).DefaultIfEmpty(toc).Min();

    /// <summary>Seals a <c>BE32 len · content · CRC</c> section; returns the offset after it, or -1.</summary>
    private static long SealBe32Section(byte[] b, long at, long end)
    {
        if (at <= 0 || at + 4 > end)
        {
            return -1;
        }

        long len = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan((int)at));
        if (at + 4 + len + 4 > end)
        {
            return -1;
        }

        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan((int)(at + 4 + len)), Crc32C.Compute(b.AsSpan((int)at + 4, (int)len)));
        return at + 8 + len;
    }

    private static void SealSeries(byte[] b, long at, long end)
    {
        // Entries are 16-byte aligned: uvarint len · content · CRC.
        while (at > 0 && at < end)
        {
            at = (at + 15) & ~15L;
            ulong len = 0;
            int shift = 0;
            long p = at;
            while (p < end && shift < 35)
            {
                byte x = b[p++];
                len |= (ulong)(x & 0x7F) << shift;
                shift += 7;
                if (x < 0x80)
                {
                    break;
                }
            }

            if (len == 0 || p + (long)len + 4 > end)
            {
                return;
            }

            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan((int)(p + (long)len)), Crc32C.Compute(b.AsSpan((int)p, (int)len)));
            at = p + (long)len + 4;
        }
    }

    private static void SealPostings(byte[] b, long at, long end)
    {
        // Lists are 4-byte aligned BE32 sections.
        while (at > 0 && at < end)
        {
            at = SealBe32Section(b, (at + 3) & ~3L, end);
        }
    }
}
