using System.Buffers.Binary;
using MetricsCluster.Core;
using MetricsCluster.Core.Snappy;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;
using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Fuzz.Tests.Seeds;

/// <summary>Seeds for the on-disk decoders, written by the project's own encoders.</summary>
internal static class TsdbSeeds
{
    private const long T0 = 1_700_000_000_000;
    private static readonly double s_staleNaN = BitConverter.UInt64BitsToDouble(0x7ff0000000000002);

    /// <summary>One record of each decoded type.</summary>
    public static IEnumerable<(string Name, byte[] Data)> WalRecordSeeds()
    {
        var buf = new ValueBuffer(256);
        try
        {
            WalRecords.BeginSeries(ref buf);
            WalRecords.AddSeries(ref buf, 1, Labels.FromStrings("__name__", "up", "job", "node"));
            WalRecords.AddSeries(ref buf, 2, Labels.FromStrings("__name__", "temp", "room", "a"));
            yield return ("series", Take(ref buf));
            WalRecords.BeginSamples(ref buf);
            var state = default(SamplesEncoderState);
            WalRecords.AddSample(ref buf, ref state, 1, T0, 1);
            WalRecords.AddSample(ref buf, ref state, 2, T0 + 15_000, s_staleNaN);
            WalRecords.AddSample(ref buf, ref state, 1, T0 - 5, -0.25);
            yield return ("samples", Take(ref buf));
            WalRecords.EncodeTombstones(ref buf, [new Tombstone(1, T0, T0 + 60_000)]);
            yield return ("tombstones", Take(ref buf));
            WalRecords.EncodeMetadata(ref buf, [new RefMetadata(2, 2, "celsius", "room temperature")]);
            yield return ("metadata", Take(ref buf));
        }
        finally
        {
            buf.Dispose();
        }
    }

    /// <summary>A segment written by <see cref="WriteAheadLog"/> (one record spans pages), and one with a snappy record.</summary>
    public static IEnumerable<(string Name, byte[] Data)> WalSegmentSeeds()
    {
        var records = WalRecordSeeds().Select(r => r.Data).ToList();
        string dir = Directory.CreateTempSubdirectory("fuzz-seed-wal-").FullName;
        try
        {
            using (var wal = WriteAheadLog.Open(dir, new WalOptions { SegmentSize = 4 * 32 * 1024 }))
            {
                foreach (byte[] r in records)
                {
                    wal.Log(r);
                }

                // A metadata record over one 32 KiB page exercises first/middle/last fragments.
                var big = new ValueBuffer(40_000);
                WalRecords.EncodeMetadata(ref big, [new RefMetadata(3, 1, "", new string('h', 33_000))]);
                wal.Log(big.Written);
                big.Dispose();
            }

            byte[] segment = File.ReadAllBytes(Path.Combine(dir, "00000000"));

            // The writer pads the last page with zeros; a short last page is valid and keeps the seed small.
            yield return ("writer", segment.AsSpan(0, segment.AsSpan().LastIndexOfAnyExcept((byte)0) + 1).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        yield return ("snappy-record", Fragment(1 | 0x08, SnappyEncoder.Encode(records[1])));
    }

    /// <summary>A small index of three series written by <see cref="IndexWriter"/>.</summary>
    public static IEnumerable<(string Name, byte[] Data)> IndexSeeds()
    {
        string dir = Directory.CreateTempSubdirectory("fuzz-seed-index-").FullName;
        try
        {
            string path = Path.Combine(dir, "index");
            using (var w = new IndexWriter(path))
            {
                foreach (string s in new[] { "__name__", "a", "b", "job", "node", "temp", "up" }.Order(StringComparer.Ordinal))
                {
                    w.AddSymbol(System.Text.Encoding.UTF8.GetBytes(s));
                }

                w.AddSeries(Labels.FromStrings("__name__", "temp", "job", "a"), [new ChunkMeta(T0, T0 + 60_000, 8)]);
                w.AddSeries(Labels.FromStrings("__name__", "up", "job", "b"), [new ChunkMeta(T0, T0 + 1, 100), new ChunkMeta(T0 + 2, T0 + 3, 200)]);
                w.AddSeries(Labels.FromStrings("__name__", "up", "job", "node"), [new ChunkMeta(T0, T0, 300)]);
                w.Close();
            }

            yield return ("three-series", File.ReadAllBytes(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A chunk segment file with two chunks, prefixed by the BE64 ref of the second.</summary>
    public static IEnumerable<(string Name, byte[] Data)> ChunkSegmentSeeds()
    {
        string dir = Directory.CreateTempSubdirectory("fuzz-seed-chunks-").FullName;
        try
        {
            ulong second;
            using (var w = new ChunkSegmentWriter(dir))
            {
                w.WriteChunk(1, Chunk(10).ToArray());
                second = w.WriteChunk(1, Chunk(3).ToArray());
                w.Close();
            }

            byte[] file = File.ReadAllBytes(Path.Combine(dir, "000001"));
            var data = new byte[8 + file.Length];
            BinaryPrimitives.WriteUInt64BigEndian(data, second & 0xFFFFFFFF);
            file.CopyTo(data, 8);
            yield return ("two-chunks", data);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>XOR chunks: one sample, a regular series, irregular values with a stale marker, the 120-sample maximum.</summary>
    public static IEnumerable<(string Name, byte[] Data)> XorChunkSeeds()
    {
        yield return ("one-sample", Chunk(1).ToArray());
        yield return ("regular", Chunk(20).ToArray());
        var c = new XorChunk();
        double[] values = [0, -1.5, double.NaN, s_staleNaN, double.PositiveInfinity, 1e300, 5e-324, 42];
        for (int i = 0; i < values.Length; i++)
        {
            c.Append(T0 + (i * i * 1000) + i, values[i]);
        }

        yield return ("irregular-stale", c.ToArray());
        yield return ("full", Chunk(XorChunk.MaxSamplesPerChunk).ToArray());
    }

    /// <summary>Round-trip seeds: 12-byte (BE32 timestamp delta, BE64 value bits) samples.</summary>
    public static IEnumerable<(string Name, byte[] Data)> XorRoundTripSeeds()
    {
        yield return ("regular", Samples(Enumerable.Range(0, 16).Select(i => (15_000u, BitConverter.DoubleToUInt64Bits(i * 0.5)))));
        yield return ("stale-and-nan", Samples([(1u, 0x7ff0000000000002), (1000u, 0x7ff8000000000001), (1u, 0x7ff0000000000002), (70_000u, 0), (1u, ulong.MaxValue)]));
        yield return ("jitter", Samples(Enumerable.Range(0, 12).Select(i => ((uint)(15_000 + ((i % 3) - 1) * 7), (ulong)i << 52))));
    }

    private static XorChunk Chunk(int samples)
    {
        var c = new XorChunk();
        for (int i = 0; i < samples; i++)
        {
            c.Append(T0 + (i * 15_000L), i * 1.5);
        }

        return c;
    }

    private static byte[] Samples(IEnumerable<(uint Dt, ulong Bits)> samples)
    {
        var b = new List<byte>();
        var tmp = new byte[8];
        foreach (var (dt, bits) in samples)
        {
            BinaryPrimitives.WriteUInt32BigEndian(tmp, dt);
            b.AddRange(tmp.AsSpan(0, 4).ToArray());
            BinaryPrimitives.WriteUInt64BigEndian(tmp, bits);
            b.AddRange(tmp);
        }

        return [.. b];
    }

    private static byte[] Fragment(byte type, byte[] data)
    {
        // A WAL fragment header: type, BE16 length, BE32 CRC32C of the data (docs/format/wal.md).
        var f = new byte[7 + data.Length];
        f[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(1), (ushort)data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(3), Crc32C.Compute(data));
        data.CopyTo(f, 7);
        return f;
    }

    private static byte[] Take(ref ValueBuffer buf)
    {
        byte[] r = buf.Written.ToArray();
        buf.Length = 0;
        return r;
    }
}
