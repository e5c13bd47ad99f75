using MetricsCluster.Tests.Shared;
using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Chunks;

public class XorIteratorTests
{
    private static readonly byte[] s_chunk = RawSample.Encode(
        Enumerable.Range(1, 10).Select(i => RawSample.Of(i * 10L, i)));

    // Each row: the seeks (and "n" for a plain Next) in order, and the expected timestamp after each (-1 = false).
    [Theory]
    [InlineData("5", "10")]
    [InlineData("10", "10")]
    [InlineData("11", "20")]
    [InlineData("100", "100")]
    [InlineData("101", "-1")]
    [InlineData("35 35 30", "40 40 40")]
    [InlineData("n 5", "10 10")]
    [InlineData("n n 15", "10 20 20")]
    [InlineData("50 n 50 70", "50 60 60 70")]
    [InlineData("101 5", "-1 -1")]
    [InlineData("100 n 100", "100 -1 -1")]
    [InlineData("-9223372036854775808", "10")]
    public void SeekNeverMovesBackwards(string ops, string expected)
    {
        var it = new XorIterator(s_chunk);
        string[] steps = ops.Split(' ');
        long[] want = expected.Split(' ').Select(long.Parse).ToArray();
        for (int i = 0; i < steps.Length; i++)
        {
            bool ok = steps[i] == "n" ? it.Next() : it.Seek(long.Parse(steps[i]));
            Assert.Equal(want[i], ok ? it.T : -1);
        }

        Assert.Null(it.Error);
    }

    [Fact]
    public void EmptyIteratorHasNoSamplesAndNoError()
    {
        var it = new XorIterator();
        Assert.False(it.Next());
        Assert.False(it.Seek(0));
        Assert.Null(it.Error);
        Assert.Equal(0, it.NumSamples);
    }

    [Fact]
    public void ResetReusesTheIteratorWithoutAllocating()
    {
        byte[] other = RawSample.Encode([RawSample.Of(-5, double.NaN), RawSample.Of(7, 2.5)]);
        var it = new XorIterator();
        ReadOnlyMemory<byte> a = s_chunk, b = other;

        // Warm up so the JIT's one-time work is not counted.
        Drain(it, a);
        Drain(it, b);

        int count = 0;
        long allocated = AllocationProbe.MinAllocated(() =>
        {
            for (int round = 0; round < 100; round++)
            {
                count += Drain(it, a) + Drain(it, b);
            }
        });
        Assert.Equal(3 * 100 * 12, count);
        Assert.Equal(0, allocated);

        it.Reset(other);
        Assert.True(it.Next());
        Assert.Equal(-5, it.T);
        Assert.True(it.Next());
        Assert.Equal(7, it.T);
        Assert.Equal(2.5, it.V);
        Assert.False(it.Next());
    }

    [Fact]
    public void ResetClearsAPreviousError()
    {
        var it = new XorIterator(new byte[] { 0x00 });
        Assert.False(it.Next());
        Assert.NotNull(it.Error);
        it.Reset(s_chunk);
        Assert.Null(it.Error);
        Assert.True(it.Next());
    }

    [Fact]
    public void EveryTruncationReportsAnError()
    {
        var rnd = new Random(42);
        for (int n = 1; n <= 120; n += 7)
        {
            RawSample[] samples = RandomSamples(rnd, n);
            byte[] data = RawSample.Encode(samples);
            for (int length = 0; length < data.Length; length++)
            {
                var it = new XorIterator(data.AsMemory(0, length));
                int read = 0;
                while (it.Next())
                {
                    Assert.Equal(samples[read].T, it.T);
                    Assert.Equal(samples[read].Bits, BitConverter.DoubleToUInt64Bits(it.V));
                    read++;
                }

                Assert.True(read < n, $"all {n} samples decoded from {length} of {data.Length} bytes");
                Assert.IsType<InvalidDataException>(it.Error);
                Assert.False(it.Next());
                Assert.False(it.Seek(long.MinValue));
            }
        }
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var rnd = new Random(7);
        var it = new XorIterator();
        for (int i = 0; i < 20_000; i++)
        {
            var data = new byte[rnd.Next(0, 80)];
            rnd.NextBytes(data);
            it.Reset(data);
            int read = 0;
            while (it.Next())
            {
                read++;
            }

            Assert.True(read <= it.NumSamples);
            Assert.True(read == it.NumSamples || it.Error is not null);
            _ = it.Seek(rnd.NextInt64());
        }
    }

    [Fact]
    public void BitFlipsInValidChunksNeverThrow()
    {
        var rnd = new Random(99);
        var it = new XorIterator();
        for (int i = 0; i < 2_000; i++)
        {
            byte[] data = RawSample.Encode(RandomSamples(rnd, rnd.Next(1, 121)));
            for (int flips = rnd.Next(1, 4); flips > 0; flips--)
            {
                data[rnd.Next(data.Length)] ^= (byte)(1 << rnd.Next(8));
            }

            it.Reset(data);
            while (it.Next())
            {
            }
        }
    }

    [Theory]
    [InlineData("window wider than 64 bits", "0002" + "00" + "0000000000000000" + "01" + "fff8")]
    [InlineData("t0 varint longer than 10 bytes", "0001" + "ffffffffffffffffffff01")]
    [InlineData("t0 varint overflows in the 10th byte", "0001" + "ffffffffffffffffff02" + "0000000000000000")]
    [InlineData("header counts more samples than the data holds", "0005" + "00" + "0000000000000000")]
    [InlineData("one byte", "00")]
    [InlineData("nothing", "")]
    public void CorruptChunksSetError(string name, string hex)
    {
        Assert.NotEmpty(name);
        var it = new XorIterator(Convert.FromHexString(hex));
        while (it.Next())
        {
        }

        Assert.IsType<InvalidDataException>(it.Error);
    }

    [Fact]
    public void TrailingBytesAreIgnored()
    {
        // Prometheus before 3.0 wrote an extra zero byte after a byte-aligned stream.
        Assert.Equal([RawSample.Of(1000, 1.0)], RawSample.Decode(Convert.FromHexString("0001d00f3ff0000000000000" + "00")));
    }

    private static int Drain(XorIterator it, ReadOnlyMemory<byte> data)
    {
        it.Reset(data);
        int n = 0;
        while (it.Next())
        {
            n++;
        }

        return n;
    }

    private static RawSample[] RandomSamples(Random rnd, int n)
    {
        var result = new RawSample[n];
        long t = rnd.NextInt64(-1_000_000, 1_000_000);
        double v = rnd.Next(100);
        for (int i = 0; i < n; i++)
        {
            t += rnd.Next(4) == 0 ? rnd.NextInt64(1, 1L << 40) : 15_000 + rnd.Next(-50, 50);
            v = rnd.Next(3) switch
            {
                0 => v,
                1 => v + rnd.Next(10),
                _ => BitConverter.Int64BitsToDouble(rnd.NextInt64()),
            };
            result[i] = RawSample.Of(t, v);
        }

        return result;
    }
}
