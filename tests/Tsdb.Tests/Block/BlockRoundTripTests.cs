using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Block;

/// <summary>What <see cref="BlockWriter"/> writes, <see cref="BlockReader"/> reads back bit-exactly, also for sub-ranges and matchers.</summary>
public class BlockRoundTripTests
{
    private static List<(Labels Labels, (long T, double V)[] Samples)> Data(int series, int samples)
    {
        var rng = new Random(7);
        var data = new List<(Labels, (long, double)[])>();
        for (int i = 0; i < series; i++)
        {
            var labels = Labels.FromStrings("__name__", i % 2 == 0 ? "up" : "requests_total", "instance", $"host-{i:D3}", "zone", i % 3 == 0 ? "eu" : "us");
            var s = new (long, double)[samples];
            long t = 1_700_000_000_000;
            for (int j = 0; j < samples; j++)
            {
                t += 15_000 + rng.Next(-500, 500);
                s[j] = (t, j % 97 == 5 ? BitConverter.Int64BitsToDouble(0x7ff0000000000002) : Math.Round(rng.NextDouble() * 1000, rng.Next(0, 6)));
            }

            data.Add((labels, s));
        }

        return data;
    }

    [Fact]
    public async Task EverySampleComesBackBitExact()
    {
        using var dir = new BlockTestDir();
        var data = Data(40, 700);
        var meta = BlockWriter.Write(dir.Root, Ulid.New(1_700_000_000_000, new Random(1)), data.Select(d => ChunkedSeries.FromSamples(d.Labels, d.Samples)));
        using var block = BlockReader.Open(Path.Combine(dir.Root, meta.Ulid.ToString()));
        await using var q = block.Querier(long.MinValue, long.MaxValue);
        var read = new Dictionary<Labels, List<(long, long)>>();
        await foreach (var s in q.SelectAsync(true, null, [new Matcher(MatcherType.Regex, "__name__", ".+")], CancellationToken.None))
        {
            var it = s.Iterator(null);
            var list = new List<(long, long)>();
            while (it.Next())
            {
                list.Add((it.T, BitConverter.DoubleToInt64Bits(it.V)));
            }

            Assert.Null(it.Error);
            read[s.Labels] = list;
        }

        Assert.Equal(data.Count, read.Count);
        foreach (var (labels, samples) in data)
        {
            Assert.Equal(samples.Select(p => (p.T, BitConverter.DoubleToInt64Bits(p.V))), read[labels]);
        }

        Assert.Equal((ulong)(40 * 700), meta.Stats.NumSamples);
    }

    [Fact]
    public async Task RangeAndMatchersSelectExactlyTheRightSamples()
    {
        using var dir = new BlockTestDir();
        var data = Data(12, 300);
        var meta = BlockWriter.Write(dir.Root, Ulid.New(1_700_000_000_000, new Random(2)), data.Select(d => ChunkedSeries.FromSamples(d.Labels, d.Samples)));
        using var block = BlockReader.Open(Path.Combine(dir.Root, meta.Ulid.ToString()));
        long mint = data[0].Samples[100].T, maxt = data[0].Samples[200].T;
        await using var q = block.Querier(mint, maxt);
        var matchers = new[] { Matcher.Eq("__name__", "up"), new Matcher(MatcherType.NotEqual, "zone", "eu") };
        var expected = data.Where(d => matchers.All(m => m.Matches(d.Labels))).ToList();
        int seen = 0;
        await foreach (var s in q.SelectAsync(true, null, matchers, CancellationToken.None))
        {
            var want = expected.Single(d => d.Labels == s.Labels).Samples.Where(p => p.T >= mint && p.T <= maxt).Select(p => p.T).ToList();
            var it = s.Iterator(null);
            var got = new List<long>();
            while (it.Next())
            {
                got.Add(it.T);
            }

            Assert.Equal(want, got);
            seen++;
        }

        Assert.Equal(expected.Count, seen);
    }
}
