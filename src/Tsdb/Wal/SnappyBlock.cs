using System.Buffers.Binary;

namespace MetricsCluster.Tsdb.Wal;

/// <summary>
/// Decoder of the snappy block format (wire-formats.md §1.2). Prometheus compresses WAL records with it
/// by default (flag 0x08 in the fragment type byte), so replaying a directory written by Prometheus
/// needs it; this store never writes compressed records.
/// </summary>
internal static class SnappyBlock
{
    // A decoded record larger than this is treated as damage rather than allocated.
    private const int MaxDecodedLength = 1 << 30;

    /// <summary>Decodes <paramref name="src"/> into <paramref name="dst"/> (grown as needed); false when malformed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> src, ref byte[] dst, out int length)
    {
        length = 0;
        var d = new WalDecoder(src);
        ulong declared;
        try
        {
            declared = d.Uvarint();
        }
        catch (WalRecordException)
        {
            return false;
        }

        if (declared > MaxDecodedLength)
        {
            return false;
        }

        int n = (int)declared;
        if (dst.Length < n)
        {
            dst = new byte[Math.Max(n, dst.Length * 2)];
        }

        int s = d.Position, o = 0;
        while (s < src.Length)
        {
            byte tag = src[s++];
            int len, offset;
            switch (tag & 3)
            {
                case 0:
                    int m = tag >> 2;
                    if (m >= 60)
                    {
                        // Next (m - 59) bytes hold the length minus one, little-endian.
                        int extra = m - 59;
                        if (src.Length - s < extra)
                        {
                            return false;
                        }

                        uint v = 0;
                        for (int k = 0; k < extra; k++)
                        {
                            v |= (uint)src[s + k] << (8 * k);
                        }

                        s += extra;
                        if (v >= int.MaxValue)
                        {
                            return false;
                        }

                        m = (int)v;
                    }

                    len = m + 1;
                    if (len > src.Length - s || len > n - o)
                    {
                        return false;
                    }

                    src.Slice(s, len).CopyTo(dst.AsSpan(o));
                    s += len;
                    o += len;
                    continue;
                case 1:
                    if (s >= src.Length)
                    {
                        return false;
                    }

                    len = 4 + ((tag >> 2) & 7);
                    offset = ((tag >> 5) << 8) | src[s++];
                    break;
                case 2:
                    if (src.Length - s < 2)
                    {
                        return false;
                    }

                    len = 1 + (tag >> 2);
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(s));
                    s += 2;
                    break;
                default:
                    if (src.Length - s < 4)
                    {
                        return false;
                    }

                    len = 1 + (tag >> 2);
                    uint off32 = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(s));
                    s += 4;
                    if (off32 > int.MaxValue)
                    {
                        return false;
                    }

                    offset = (int)off32;
                    break;
            }

            if (offset <= 0 || offset > o || len > n - o)
            {
                return false;
            }

            // Byte by byte: an offset shorter than the length repeats a run.
            for (int k = 0; k < len; k++, o++)
            {
                dst[o] = dst[o - offset];
            }
        }

        length = o;
        return o == n;
    }
}
