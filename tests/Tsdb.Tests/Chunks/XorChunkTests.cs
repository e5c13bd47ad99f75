using System.Buffers.Binary;
using MetricsCluster.Core;
using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Chunks;

public class XorChunkTests
{
    private const ulong StaleNaN = 0x7FF0000000000002;

    // Initial capacities: zero and tiny buffers force every write through the slow path (G18).
    private static readonly int[] s_capacities = [0, 2, 3, 9, 32, 4096];

    [Fact]
    public void WorkedExampleFromReferenceIsByteExact()
    {
        var chunk = new XorChunk();
        chunk.Append(1000, 1.0);
        chunk.Append(16000, 2.0);
        chunk.Append(31000, 2.0);
        chunk.Append(46500, 3.5);

        Assert.Equal("0004d00f3ff00000000000009875c25fff207d360580", Convert.ToHexStringLower(chunk.Bytes));
        Assert.Equal(22, chunk.SizeInBytes);
        Assert.Equal(4, chunk.NumSamples);
        Assert.Equal(1000, chunk.MinTime);
        Assert.Equal(46500, chunk.MaxTime);
        Assert.Equal(3.5, chunk.LastValue);
    }

    [Fact]
    public void WorkedExampleFramedInASegmentHasTheReferenceCrc()
    {
        byte[] data = RawSample.Encode([RawSample.Of(1000, 1.0), RawSample.Of(16000, 2.0), RawSample.Of(31000, 2.0), RawSample.Of(46500, 3.5)]);

        // Framing is uvarint(len) · encoding · data · BE32 CRC32C(encoding ‖ data); 22 fits one varint byte.
        var framed = new byte[1 + 1 + data.Length + 4];
        framed[0] = (byte)data.Length;
        framed[1] = ChunkEncoding.Xor;
        data.CopyTo(framed.AsSpan(2));
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(2 + data.Length), Crc32C.Compute(framed.AsSpan(1, 1 + data.Length)));

        Assert.Equal("1601" + "0004d00f3ff00000000000009875c25fff207d360580" + "26b18d6b", Convert.ToHexStringLower(framed));
    }

    // Expected bytes come from a Python transcription of Prometheus 3.x xor.go/bstream.go, not from this code.
    [Theory]
    [InlineData("empty", "", "0000")]
    [InlineData("one sample at zero", "0:0", "0001000000000000000000")]
    [InlineData("one sample", "1000:3FF0000000000000", "0001d00f3ff0000000000000")]
    [InlineData("negative t0, stale marker", "-1:7FF0000000000002", "0001017ff0000000000002")]
    [InlineData("unchanged value", "0:3FF0000000000000 1:3FF0000000000000", "0002003ff00000000000000100")]
    [InlineData("regular interval", "0:0 10:0 20:0", "00030000000000000000000a00")]
    [InlineData("dod 8192 is the top of the 14-bit bucket", "0:0 10:0 8212:0", "00030000000000000000000a500000")]
    [InlineData("dod -8191 is the bottom of the 14-bit bucket", "0:0 10000:0 11809:0", "0003000000000000000000904e500080")]
    [InlineData("dod 8193 needs 17 bits", "0:0 10:0 8213:0", "00030000000000000000000a610008")]
    [InlineData("dod -8192 needs 17 bits", "0:0 10000:0 11808:0", "0003000000000000000000904e6f0000")]
    [InlineData("dod 65536 and 65537", "0:0 10:0 65556:0 196639:0", "00040000000000000000000a680003840004")]
    [InlineData("dod 524288 and 524289", "0:0 10:0 524308:0 1572895:0", "00040000000000000000000a7400003c0000000000200004")]
    [InlineData("dod needs 64 bits", "0:0 1:0 1099511627776:0 1099511627777:0", "00040000000000000000000178000007fffffffff3ffffffc00000000080")]
    [InlineData("full int64 range", "-9223372036854775808:0 9223372036854775807:0", "0002ffffffffffffffffff010000000000000000ffffffffffffffffff0100")]
    [InlineData("new window then reuse", "0:3FF0000000000000 1:4000000000000000 2:3FF0000000000000", "0003003ff000000000000001c25fff5ffc")]
    [InlineData("narrower xor opens a new window", "0:3FF0000000000000 1:4000000000000000 2:4008000000000000", "0003003ff000000000000001c25fff6c06")]
    [InlineData("leading zeros capped at 31", "0:0 1:1", "000200000000000000000001ff0800000004")]
    [InlineData("64 significant bits written as 0", "0:0 1:8000000000000001", "000200000000000000000001c0040000000000000008")]
    [InlineData("reuse of a 64-bit window", "0:0 1:8000000000000001 2:0", "000300000000000000000001c004000000000000000a8000000000000001")]
    [InlineData("stale marker after a value", "0:3FF0000000000000 15000:7FF0000000000002 30000:3FF0000000000000", "0003003ff00000000000009875c3f4000000000000002a0000000000000010")]
    [InlineData("infinities and negative zero", "0:7FF0000000000000 1:FFF0000000000000 2:8000000000000000 3:0", "0004007ff000000000000001c00d84bffec00c")]
    public void EncodesLikePrometheus(string name, string samples, string expectedHex)
    {
        Assert.NotEmpty(name);
        Check(Parse(samples), expectedHex);
    }

    [Fact]
    public void EveryAppendUpdatesTheHeader()
    {
        var chunk = new XorChunk();
        for (int i = 0; i < XorChunk.MaxSamplesPerChunk; i++)
        {
            chunk.Append(i * 15000L, i % 7);
            Assert.Equal(i + 1, BinaryPrimitives.ReadUInt16BigEndian(chunk.Bytes));
            Assert.Equal(i + 1, RawSample.Decode(chunk.ToArray()).Count);
            Assert.Equal(chunk.Bytes.Length, chunk.SizeInBytes);
        }
    }

    [Fact]
    public void EmptyChunk()
    {
        var chunk = new XorChunk();
        Assert.Equal(0, chunk.NumSamples);
        Assert.Equal("0000", Convert.ToHexStringLower(chunk.Bytes));
        Assert.Equal(long.MaxValue, chunk.MinTime);
        Assert.Equal(long.MinValue, chunk.MaxTime);
        Assert.Empty(RawSample.Decode(chunk.ToArray()));
    }

    [Fact]
    public void LastValueKeepsTheStaleMarkerPayload()
    {
        var chunk = new XorChunk();
        chunk.Append(1, 1.0);
        chunk.Append(2, BitConverter.UInt64BitsToDouble(StaleNaN));
        Assert.Equal(StaleNaN, BitConverter.DoubleToUInt64Bits(chunk.LastValue));
        Assert.Equal(StaleNaN, RawSample.Decode(chunk.ToArray())[1].Bits);
    }

    [Fact]
    public void TrimExcessShrinksAndAppendingContinues()
    {
        var chunk = new XorChunk(1024);
        var samples = Enumerable.Range(0, 60).Select(i => RawSample.Of(i * 15000L, i * 1.5)).ToList();
        foreach (RawSample s in samples.Take(30))
        {
            chunk.Append(s.T, s.V);
        }

        chunk.TrimExcess();
        Assert.Equal(chunk.SizeInBytes, chunk.AsMemory().Length);
        foreach (RawSample s in samples.Skip(30))
        {
            chunk.Append(s.T, s.V);
        }

        Assert.Equal(RawSample.Encode(samples), chunk.ToArray());
    }

    [Fact]
    public void AsMemoryIteratesWithoutACopy()
    {
        var chunk = new XorChunk(2);
        var samples = new List<RawSample>();
        for (int i = 0; i < 100; i++)
        {
            samples.Add(RawSample.Of(i * 1000L, i / 3));
            chunk.Append(samples[^1].T, samples[^1].V);
            Assert.Equal(samples, RawSample.Decode(chunk.AsMemory()));
        }
    }

    [Fact]
    public void FromBytesIgnoresTrailingBytesAndStrayPaddingBits()
    {
        RawSample[] samples = [RawSample.Of(0, 1.0), RawSample.Of(1, 2.0), RawSample.Of(2, 3.0)];
        byte[] clean = RawSample.Encode(samples);

        // Set the padding bits of the last byte and add the extra byte old Prometheus versions wrote.
        byte[] dirty = [.. clean, 0xFF];
        dirty[clean.Length - 1] |= 0x01;
        Assert.Equal(samples, RawSample.Decode(dirty));

        var chunk = XorChunk.FromBytes(dirty);
        Assert.Equal(clean, chunk.ToArray());
        chunk.Append(3, 4.0);
        Assert.Equal(RawSample.Encode([.. samples, RawSample.Of(3, 4.0)]), chunk.ToArray());
        Assert.Equal(0, chunk.MinTime);
        Assert.Equal(3, chunk.MaxTime);
    }

    [Fact]
    public void FromBytesRejectsCorruptData()
    {
        byte[] data = RawSample.Encode([RawSample.Of(0, 1.0), RawSample.Of(1, 2.0)]);
        Assert.Throws<InvalidDataException>(() => XorChunk.FromBytes(data.AsSpan(0, data.Length - 1)));
        Assert.Throws<InvalidDataException>(() => XorChunk.FromBytes([0x00]));
    }

    [Fact]
    public void FromBytesOfAChunkWithoutAWindowOpensOneLikeAFreshAppender()
    {
        // Prometheus' own re-opened appender would reuse an all-64-bit "window" here; opening a
        // new one instead keeps the bytes identical to appending in one go, and both decode the same.
        RawSample[] all = [RawSample.Of(0, 1.0), RawSample.Of(1, 1.0), RawSample.Of(2, 1.0), RawSample.Of(3, 2.0)];
        var chunk = XorChunk.FromBytes(RawSample.Encode(all.Take(3)));
        chunk.Append(all[3].T, all[3].V);
        Assert.Equal(RawSample.Encode(all), chunk.ToArray());
    }

    [Fact]
    public void DecodesAReuseBeforeAnyWindowAsSixtyFourBits()
    {
        // What Prometheus' re-opened appender writes: sample 1 value as '10' + 64 bits (reader window L = T = 0).
        var writer = new BitWriter(new byte[64], 0);
        writer.WriteBits(2, 16);
        writer.WriteByte(0);
        writer.WriteBits(BitConverter.DoubleToUInt64Bits(1.0), 64);
        writer.WriteByte(1);
        writer.WriteBits(0b10, 2);
        writer.WriteBits(BitConverter.DoubleToUInt64Bits(1.0) ^ BitConverter.DoubleToUInt64Bits(2.0), 64);
        byte[] data = writer.WrittenSpan.ToArray();

        Assert.Equal([RawSample.Of(0, 1.0), RawSample.Of(1, 2.0)], RawSample.Decode(data));
        var chunk = XorChunk.FromBytes(data);
        chunk.Append(2, 3.0);
        Assert.Equal([RawSample.Of(0, 1.0), RawSample.Of(1, 2.0), RawSample.Of(2, 3.0)], RawSample.Decode(chunk.ToArray()));
    }

    [Fact]
    public void HeaderLimitIsEnforced()
    {
        var chunk = new XorChunk();
        for (int i = 0; i < ushort.MaxValue; i++)
        {
            chunk.Append(i, 0);
        }

        Assert.Throws<InvalidOperationException>(() => chunk.Append(ushort.MaxValue, 0));
        Assert.Equal(ushort.MaxValue, RawSample.Decode(chunk.ToArray()).Count);
    }

    [Fact]
    public void NegativeCapacityIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new XorChunk(-1));

    /// <summary>
    /// The f-test (G18): encodes with every buffer size, compares the hex, decodes again from a
    /// buffer with a non-empty prefix and trailing junk, and re-opens at every split point.
    /// </summary>
    private static void Check(RawSample[] samples, string expectedHex)
    {
        foreach (int capacity in s_capacities)
        {
            byte[] data = RawSample.Encode(samples, capacity);
            Assert.Equal(expectedHex, Convert.ToHexStringLower(data));
        }

        byte[] expected = Convert.FromHexString(expectedHex);
        byte[] framed = [0xAB, 0xCD, 0xEF, .. expected, 0x55, 0xAA];
        Assert.Equal(samples, RawSample.Decode(framed.AsMemory(3, expected.Length)));
        Assert.Equal(samples, RawSample.Decode(framed.AsMemory(3)));

        for (int split = 0; split <= samples.Length; split++)
        {
            var chunk = XorChunk.FromBytes(RawSample.Encode(samples.Take(split)));
            foreach (RawSample s in samples.Skip(split))
            {
                chunk.Append(s.T, s.V);
            }

            Assert.Equal(expectedHex, Convert.ToHexStringLower(chunk.Bytes));
        }
    }

    private static RawSample[] Parse(string samples) =>
        samples.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Split(':'))
            .Select(p => new RawSample(long.Parse(p[0]), Convert.ToUInt64(p[1], 16)))
            .ToArray();
}
