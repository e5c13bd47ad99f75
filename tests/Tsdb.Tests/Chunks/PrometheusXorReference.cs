using System.Buffers.Binary;
using System.Numerics;

namespace MetricsCluster.Tsdb.Tests.Chunks;

/// <summary>
/// A deliberately naive, line-by-line transcription of Prometheus' <c>bstream</c> writer and
/// <c>xorAppender</c> as of Prometheus 3.x (bit at a time, no combined writes), used as the oracle for the optimised
/// <see cref="MetricsCluster.Tsdb.Chunks.XorChunk"/> in the property tests.
/// </summary>
internal static class PrometheusXorReference
{
    public static byte[] Encode(IReadOnlyList<RawSample> samples)
    {
        var stream = new Stream();
        long t = 0;
        ulong v = 0, tDelta = 0;
        byte leading = 0xFF, trailing = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            (long st, ulong sv) = (samples[i].T, samples[i].Bits);
            ulong newDelta = 0;
            if (i == 0)
            {
                foreach (byte b in Uvarint(unchecked((ulong)((st << 1) ^ (st >> 63)))))
                {
                    stream.WriteByte(b);
                }

                stream.WriteBits(sv, 64);
            }
            else
            {
                newDelta = unchecked((ulong)(st - t));
                if (i == 1)
                {
                    foreach (byte b in Uvarint(newDelta))
                    {
                        stream.WriteByte(b);
                    }
                }
                else
                {
                    long dod = unchecked((long)(newDelta - tDelta));
                    if (dod == 0)
                    {
                        stream.WriteBit(false);
                    }
                    else if (BitRange(dod, 14))
                    {
                        stream.WriteBits(0b10, 2);
                        stream.WriteBits((ulong)dod, 14);
                    }
                    else if (BitRange(dod, 17))
                    {
                        stream.WriteBits(0b110, 3);
                        stream.WriteBits((ulong)dod, 17);
                    }
                    else if (BitRange(dod, 20))
                    {
                        stream.WriteBits(0b1110, 4);
                        stream.WriteBits((ulong)dod, 20);
                    }
                    else
                    {
                        stream.WriteBits(0b1111, 4);
                        stream.WriteBits((ulong)dod, 64);
                    }
                }

                ulong delta = sv ^ v;
                if (delta == 0)
                {
                    stream.WriteBit(false);
                }
                else
                {
                    stream.WriteBit(true);
                    byte l = (byte)BitOperations.LeadingZeroCount(delta);
                    byte tr = (byte)BitOperations.TrailingZeroCount(delta);
                    if (l >= 32)
                    {
                        l = 31;
                    }

                    if (leading != 0xFF && l >= leading && tr >= trailing)
                    {
                        stream.WriteBit(false);
                        stream.WriteBits(delta >> trailing, 64 - leading - trailing);
                    }
                    else
                    {
                        leading = l;
                        trailing = tr;
                        stream.WriteBit(true);
                        stream.WriteBits(l, 5);
                        int sig = 64 - l - tr;
                        stream.WriteBits((ulong)sig, 6);
                        stream.WriteBits(delta >> tr, sig);
                    }
                }
            }

            t = st;
            v = sv;
            tDelta = newDelta;
            BinaryPrimitives.WriteUInt16BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(stream.Bytes), (ushort)(i + 1));
        }

        return stream.Bytes.ToArray();
    }

    private static bool BitRange(long x, int n) => -((1L << (n - 1)) - 1) <= x && x <= 1L << (n - 1);

    private static List<byte> Uvarint(ulong u)
    {
        var result = new List<byte>();
        while (u >= 0x80)
        {
            result.Add((byte)(u | 0x80));
            u >>= 7;
        }

        result.Add((byte)u);
        return result;
    }

    private sealed class Stream
    {
        private int _count;

        public List<byte> Bytes { get; } = [0, 0];

        public void WriteBit(bool bit)
        {
            if (_count == 0)
            {
                Bytes.Add(0);
                _count = 8;
            }

            if (bit)
            {
                Bytes[^1] |= (byte)(1 << (_count - 1));
            }

            _count--;
        }

        public void WriteByte(byte b)
        {
            // Prometheus 3.0 (PR 14854) appends an aligned byte directly; older versions left an
            // empty zero byte behind it.
            if (_count == 0)
            {
                Bytes.Add(b);
                return;
            }

            Bytes[^1] |= (byte)(b >> (8 - _count));
            Bytes.Add((byte)(b << _count));
        }

        public void WriteBits(ulong u, int nbits)
        {
            u <<= 64 - nbits;
            while (nbits >= 8)
            {
                WriteByte((byte)(u >> 56));
                u <<= 8;
                nbits -= 8;
            }

            while (nbits > 0)
            {
                WriteBit((u >> 63) == 1);
                u <<= 1;
                nbits--;
            }
        }
    }
}
