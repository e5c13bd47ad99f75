using FsCheck;
using FsCheck.Fluent;
using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Chunks;

public class BitStreamTests
{
    // Each write is "value/bits" in hex; the expected hex covers the whole buffer, prefix included.
    [Theory]
    [InlineData("1/1", "80")]
    [InlineData("1/1 0/1 1/1", "a0")]
    [InlineData("ab/8", "ab")]
    [InlineData("1/1 ff/8", "ff80")]
    [InlineData("5/3 ffff/16", "bfffe0")]
    [InlineData("ffffffffffffffff/64", "ffffffffffffffff")]
    [InlineData("1/1 ffffffffffffffff/64", "ffffffffffffffff80")]
    [InlineData("7f/7 8000000000000001/64", "ff0000000000000002")]
    [InlineData("ff/4", "f0")]
    [InlineData("3/2 1234/13", "e468")]
    public void WritesMostSignificantBitFirst(string writes, string expectedHex)
    {
        (ulong Value, int Count)[] ops = writes.Split(' ')
            .Select(w => w.Split('/'))
            .Select(p => (Convert.ToUInt64(p[0], 16), int.Parse(p[1])))
            .ToArray();

        // Re-run with a byte-aligned and an unaligned prefix, and with buffers from empty to roomy (G18).
        foreach ((string prefixHex, int prefixBits) in new[] { ("", 0), ("5a", 8), ("e0", 3) })
        {
            foreach (int capacity in new[] { 0, 1, 2, 3, 9, 10, 64 })
            {
                byte[] buffer = new byte[Math.Max(capacity, (prefixBits + 7) / 8)];
                Convert.FromHexString(prefixHex).CopyTo(buffer, 0);
                var writer = new BitWriter(buffer, prefixBits);
                foreach ((ulong value, int count) in ops)
                {
                    writer.WriteBits(value, count);
                }

                string expected = Convert.ToHexStringLower(Concat(Convert.FromHexString(prefixHex), prefixBits, Convert.FromHexString(expectedHex), ops.Sum(o => o.Count)));
                Assert.Equal(expected, Convert.ToHexStringLower(writer.WrittenSpan));
                Assert.Equal(prefixBits + ops.Sum(o => o.Count), writer.BitLength);

                var reader = new BitReader(writer.WrittenSpan, prefixBits);
                foreach ((ulong value, int count) in ops)
                {
                    Assert.Equal(count == 64 ? value : value & ((1UL << count) - 1), reader.ReadBits(count));
                }

                Assert.False(reader.Overrun);
            }
        }
    }

    [Fact]
    public void ReadsPastTheEndSetOverrunAndReturnZero()
    {
        var reader = new BitReader([0xFF], 3);
        Assert.Equal(0x1FUL, reader.ReadBits(5));
        Assert.False(reader.Overrun);
        Assert.Equal(0UL, reader.ReadBits(1));
        Assert.True(reader.Overrun);
        Assert.Equal(8, reader.BitPosition);
        Assert.False(reader.ReadBit());
        Assert.False(new BitReader([], 0).TryReadUvarint(out _));
    }

    [Fact]
    public void TrimExcessKeepsTheBitsAndWritingContinues()
    {
        var writer = new BitWriter(new byte[64], 0);
        writer.WriteBits(0b101, 3);
        writer.TrimExcess();
        Assert.Single(writer.Buffer);
        writer.WriteBits(0x1FF, 9);
        Assert.Equal("bff0", Convert.ToHexStringLower(writer.WrittenSpan));
    }

    [Fact]
    public void RandomWritesReadBack()
    {
        Gen<(ulong, int)> op =
            from count in Gen.Choose(1, 64)
            from value in SampleGenerators.Bits64
            select (value, count);
        var arb = op.ArrayOf().ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(arb, Gen.Choose(0, 7).ToArbitrary(), (ops, start) =>
        {
            var writer = new BitWriter(new byte[1], start);
            foreach ((ulong value, int count) in ops)
            {
                writer.WriteBits(value, count);
            }

            var reader = new BitReader(writer.WrittenSpan, start);
            foreach ((ulong value, int count) in ops)
            {
                Assert.Equal(count == 64 ? value : value & ((1UL << count) - 1), reader.ReadBits(count));
            }

            Assert.False(reader.Overrun);
            Assert.Equal(writer.BitLength, reader.BitPosition);
        }));
    }

    // The prefix's first bits followed by the expected bits, as one stream.
    private static byte[] Concat(byte[] prefix, int prefixBits, byte[] bits, int bitCount)
    {
        var writer = new BitWriter(new byte[prefix.Length + bits.Length + 1], 0);
        for (int i = 0; i < prefixBits; i++)
        {
            writer.WriteBit((prefix[i / 8] & (0x80 >> (i % 8))) != 0);
        }

        for (int i = 0; i < bitCount; i++)
        {
            writer.WriteBit((bits[i / 8] & (0x80 >> (i % 8))) != 0);
        }

        return writer.WrittenSpan.ToArray();
    }
}
