using MetricsCluster.Compactor.Downsampling;
using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;
using Xunit;
using static MetricsCluster.Compactor.Tests.Downsampling.DownsampleTestBlocks;

namespace MetricsCluster.Compactor.Tests.Downsampling;

/// <summary>
/// <see cref="BlockDownsampler"/> against aggregates computed here from the raw samples, window by window (the
/// expected values never come from the code under test).
/// </summary>
public sealed class BlockDownsamplerTests : IDisposable
{
    private const long FiveM = DownsampleResolution.FiveMinutes;
    private readonly DownsampleTestBlocks _blocks = new();

    public void Dispose() => _blocks.Dispose();

    [Fact]
    public void RawToFiveMinutesAggregatesEveryWindow()
    {
        // 48h at 60 s: 576 windows of 12 samples, so 5 chunks of at most 120 windows.
        var raw = Series(H(0), H(48), 60_000, t => Math.Sin(t / 7e6) * 100);
        var (dir, meta) = _blocks.Downsample(_blocks.WriteRaw(H(0), H(48), (L("a"), raw)), FiveM);

        var chunks = Read(dir)[L("a")];
        Assert.Equal(5, chunks.Count);
        Assert.All(chunks, c => Assert.InRange(c[AggrType.Count].Count, 1, BlockDownsampler.WindowsPerChunk));
        AssertWindows(raw, FiveM, chunks);
        Assert.Equal(FiveM, meta.Thanos!.DownsampleResolution);
        Assert.Equal((H(0), H(48)), (meta.MinTime, meta.MaxTime));
        Assert.Equal(576UL, meta.Stats.NumSamples);
        Assert.Equal(5UL, meta.Stats.NumChunks);
    }

    [Fact]
    public void CounterResetsWithinAndBetweenChunksKeepTheIncrease()
    {
        // A counter growing by 3 a sample, reset mid-window at 5h02m and again exactly at a chunk boundary (10h).
        var raw = Series(H(0), H(48), 30_000, t => (t - LastReset(t)) / 10_000.0);
        var (dir, _) = _blocks.Downsample(_blocks.WriteRaw(H(0), H(48), (L("c"), raw)), FiveM);

        var chunks = Read(dir)[L("c")];
        var read = Counter(chunks);
        var adjusted = Adjusted(raw);

        // Every emitted value is the reset-free counter at that time; the last one is the whole increase.
        Assert.All(read, s => Assert.Equal(At(adjusted, s.T), s.V));
        Assert.Equal(raw[0].V, read[0].V);
        Assert.Equal(adjusted[^1].V, read[^1].V);
        Assert.True(read.Zip(read.Skip(1)).All(p => p.First.T < p.Second.T && p.First.V <= p.Second.V));

        // Each chunk starts with its first raw value and ends with its last raw value at the last window's time.
        foreach (var c in chunks)
        {
            var counter = c[AggrType.Counter];
            var (lastT, lastV) = counter[^1];
            Assert.Equal(counter[^2].T, lastT);
            Assert.Equal(raw.Single(s => s.T == lastT).V, lastV);
            Assert.Equal(raw.Single(s => s.T == counter[0].T).V, counter[0].V);
        }

        static long LastReset(long t) => t >= H(10) ? H(10) : t >= H(5) + 120_000 ? H(5) + 120_000 : H(0);
    }

    [Fact]
    public void StaleMarkersAndNaNsAreDroppedAndGapsLeaveNoWindows()
    {
        // Samples every 60 s in [0h, 20h) and [30h, 41h), with a stale marker and a plain NaN mid-window.
        var raw = Series(H(0), H(41), 60_000, t => t / 60_000 % 17)
            .Where(s => s.T < H(20) || s.T >= H(30))
            .Select(s => s.T == H(1) + 60_000 ? (s.T, BitConverter.Int64BitsToDouble(0x7ff0000000000002)) : s.T == H(2) + 120_000 ? (s.T, double.NaN) : s)
            .ToArray();
        var onlyNaN = new[] { (H(3), double.NaN), (H(4), BitConverter.Int64BitsToDouble(0x7ff0000000000002)) };
        var (dir, meta) = _blocks.Downsample(_blocks.WriteRaw(H(0), H(41), (L("g"), raw), (L("nan"), onlyNaN)), FiveM);

        var read = Read(dir);
        Assert.False(read.ContainsKey(L("nan")));
        Assert.Equal(1UL, meta.Stats.NumSeries);
        var counts = All(read[L("g")], AggrType.Count);
        Assert.DoesNotContain(counts, s => s.T >= H(20) && s.T < H(30));
        Assert.Equal(4, counts.Single(s => s.T == H(1) + FiveM - 1).V);
        Assert.Equal(4, counts.Single(s => s.T == H(2) + FiveM - 1).V);
        AssertWindows(raw, FiveM, read[L("g")]);
    }

    [Fact]
    public void FiveMinutesToOneHourReaggregatesAndKeepsTheCounter()
    {
        // 11 days at 5 min: the 5m block is long enough for 1h. A counter resetting every 37h.
        var raw = Series(H(0), H(264), 300_000, t => ((t - T0) % (37L * 3_600_000)) / 1000.0);
        var (fiveDir, _) = _blocks.Downsample(_blocks.WriteRaw(H(0), H(264), (L("x"), raw)), FiveM);
        var (hourDir, meta) = _blocks.Downsample(fiveDir, DownsampleResolution.OneHour);

        Assert.Equal(DownsampleResolution.OneHour, meta.Thanos!.DownsampleResolution);
        var chunks = Read(hourDir)[L("x")];
        var counts = All(chunks, AggrType.Count);
        Assert.Equal(raw.Length, counts.Sum(s => s.V));
        Assert.All(counts, s => Assert.Equal(12, s.V));
        Assert.Equal(raw.Sum(s => s.V), All(chunks, AggrType.Sum).Sum(s => s.V), 6);
        foreach (var (t, v) in All(chunks, AggrType.Max))
        {
            long start = t - (t % DownsampleResolution.OneHour);
            Assert.Equal(raw.Where(s => s.T >= start && s.T <= t).Max(s => s.V), v);
        }

        var adjusted = Adjusted(raw);
        var counter = Counter(chunks);
        Assert.All(counter, s => Assert.Equal(At(adjusted, s.T), s.V));
        Assert.Equal(adjusted[^1].V, counter[^1].V);
    }

    [Fact]
    public void RefusesAResolutionNotAboveTheSources()
    {
        var raw = Series(H(0), H(1), 60_000, _ => 1);
        var (dir, _) = _blocks.Downsample(_blocks.WriteRaw(H(0), H(1), (L("a"), raw)), FiveM);
        Assert.Throws<ArgumentException>(() => _blocks.Downsample(dir, FiveM));
    }

    /// <summary>Checks count, sum, min and max of every window against the raw samples, and where each is stamped.</summary>
    private static void AssertWindows((long T, double V)[] raw, long res, List<Dictionary<AggrType, List<(long T, double V)>>> chunks)
    {
        var real = raw.Where(s => !double.IsNaN(s.V)).ToArray();
        var windows = real.GroupBy(s => s.T - (s.T % res)).ToDictionary(g => g.Key, g => g.ToArray());
        var count = All(chunks, AggrType.Count);
        Assert.Equal(windows.Count, count.Count);
        var sum = All(chunks, AggrType.Sum);
        var min = All(chunks, AggrType.Min);
        var max = All(chunks, AggrType.Max);
        var lastOfChunk = chunks.Select(c => c[AggrType.Count][^1].T).ToHashSet();
        for (int i = 0; i < count.Count; i++)
        {
            long t = count[i].T;
            var w = windows[t - (t % res)];

            // Stamped at the window's last millisecond, or at its last sample when it ends a chunk.
            Assert.Equal(lastOfChunk.Contains(t) ? w[^1].T : t - (t % res) + res - 1, t);
            Assert.Equal(w.Length, count[i].V);
            Assert.Equal(w.Sum(s => s.V), sum[i].V, 9);
            Assert.Equal(w.Min(s => s.V), min[i].V);
            Assert.Equal(w.Max(s => s.V), max[i].V);
        }
    }

    // The reset-free counter at t: its value at the last raw sample at or before t (windows are stamped between samples).
    private static double At(List<(long T, double V)> adjusted, long t) => adjusted.Last(s => s.T <= t).V;

    private static Labels L(string name) => Labels.FromStrings("__name__", name);

    private static (long T, double V)[] Series(long from, long to, long step, Func<long, double> value)
    {
        var list = new List<(long, double)>();
        for (long t = from; t < to; t += step)
        {
            list.Add((t, value(t)));
        }

        return [.. list];
    }
}
