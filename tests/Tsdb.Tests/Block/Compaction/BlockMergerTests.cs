using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Block.Compaction;
using Xunit;
using static MetricsCluster.Tsdb.Tests.Block.Compaction.MergeTestBlocks;

namespace MetricsCluster.Tsdb.Tests.Block.Compaction;

/// <summary>What <see cref="BlockMerger"/> writes: samples, chunks and symbols of the merged block.</summary>
public class BlockMergerTests
{
    private const long StaleNaN = 0x7FF0000000000002;

    [Fact]
    public void ReplicaBlocksMergeWithEachTimestampOnce()
    {
        using var dir = new BlockTestDir();
        var (replicas, expected) = Replicas(seriesCount: 12, samples: 300);
        var dirs = replicas.Select((r, i) => Write(dir.Root, Ulid.New(Start + i, new Random(i)), r)).ToList();
        var ulid = Ulid.New(Start + 10, new Random(10));

        var meta = BlockMerger.Merge(dir.Root, ulid, dirs);

        string merged = Path.Combine(dir.Root, ulid.ToString());
        AssertSamples(expected, ReadAll(merged));
        Assert.Equal((ulong)expected.Count, meta.Stats.NumSeries);
        Assert.Equal((ulong)expected.Values.Sum(s => s.Count), meta.Stats.NumSamples);

        // The sources were cut at 50 samples; the merged block is re-cut at 120: full chunks, then the rest.
        var counts = ChunkSampleCounts(merged);
        Assert.All(counts, c => Assert.Equal(ExpectedCut(c.Sum(), 120), c));
        Assert.Equal(expected.Values.Select(s => s.Count).Order(), counts.Select(c => c.Sum()).Order());
        Assert.Equal((ulong)counts.Sum(c => c.Length), meta.Stats.NumChunks);
        Assert.Equal(BlockMeta.ReadFrom(merged).ToJson(), meta.ToJson());
    }

    [Theory]
    [InlineData(false, 1.0)]
    [InlineData(true, 2.0)]
    public void ConflictingValuesKeepTheFirstSourceInMergeOrder(bool reversed, double kept)
    {
        using var dir = new BlockTestDir();
        var labels = Labels.FromStrings("__name__", "up", "job", "a");
        string a = Write(dir.Root, Ulid.New(Start, new Random(1)), [(labels, [(Start, 0.5), (Start + 15_000, 1.0)])]);
        string b = Write(dir.Root, Ulid.New(Start, new Random(2)), [(labels, [(Start + 15_000, 2.0), (Start + 30_000, 3.0)])]);
        var ulid = Ulid.New(Start + 1, new Random(3));

        BlockMerger.Merge(dir.Root, ulid, reversed ? [b, a] : [a, b]);

        Assert.Equal([(Start, 0.5), (Start + 15_000, kept), (Start + 30_000, 3.0)], ReadAll(Path.Combine(dir.Root, ulid.ToString()))[labels]);
    }

    [Fact]
    public void AdjacentBlocksMergeIntoOneSpanningBoth()
    {
        using var dir = new BlockTestDir();
        const long TwoHours = 7_200_000;
        var shared = Labels.FromStrings("__name__", "cpu", "instance", "b");
        var onlyFirst = Labels.FromStrings("__name__", "cpu", "instance", "a");
        var onlySecond = Labels.FromStrings("__name__", "mem", "zone", "z");
        var first = Steps(Start, TwoHours, 60_000);
        var second = Steps(Start + TwoHours, TwoHours, 60_000);
        string a = Write(dir.Root, Ulid.New(Start, new Random(1)), [(shared, first), (onlyFirst, first)]);
        string b = Write(dir.Root, Ulid.New(Start + TwoHours, new Random(2)), [(shared, second), (onlySecond, second)]);
        var ulid = Ulid.New(Start + (2 * TwoHours), new Random(3));

        var meta = BlockMerger.Merge(dir.Root, ulid, [a, b]);

        string merged = Path.Combine(dir.Root, ulid.ToString());
        Assert.Equal(Start, meta.MinTime);
        Assert.Equal(BlockMeta.ReadFrom(b).MaxTime, meta.MaxTime);
        var expected = new Dictionary<Labels, SortedDictionary<long, double>>
        {
            [shared] = new(first.Concat(second).ToDictionary(s => s.T, s => s.V)),
            [onlyFirst] = new(first.ToDictionary(s => s.T, s => s.V)),
            [onlySecond] = new(second.ToDictionary(s => s.T, s => s.V)),
        };
        AssertSamples(expected, ReadAll(merged));
        using var reader = BlockReader.Open(merged);
        Assert.Equal(
            ["__name__", "a", "b", "cpu", "instance", "mem", "z", "zone"],
            reader.Index.Symbols().Select(s => System.Text.Encoding.UTF8.GetString(s.Span)));
    }

    [Fact]
    public void SeriesWithoutSamplesAreLeftOut()
    {
        using var dir = new BlockTestDir();
        var empty = Labels.FromStrings("__name__", "empty");
        var full = Labels.FromStrings("__name__", "full");
        string a = WriteRaw(dir.Root, Ulid.New(Start, new Random(1)), [(empty, [(Start, Start, [])]), (full, [(Start, Start + 1, [(Start, 1), (Start + 1, 2)])])]);
        var ulid = Ulid.New(Start + 1, new Random(2));

        var meta = BlockMerger.Merge(dir.Root, ulid, [a]);

        Assert.Equal([full], ReadAll(Path.Combine(dir.Root, ulid.ToString())).Keys);
        Assert.Equal(1UL, meta.Stats.NumSeries);
    }

    private static int[] ExpectedCut(int total, int per) =>
        [.. Enumerable.Repeat(per, total / per), .. total % per == 0 ? Array.Empty<int>() : [total % per]];

    internal static (long T, double V)[] Steps(long from, long span, long step) =>
        [.. Enumerable.Range(0, (int)(span / step)).Select(i => (from + (i * step), (double)(from / 1000 % 97) + i))];

    /// <summary>
    /// Three replicas of one ingester write: identical samples, except that each drops a different ~1/11 of them
    /// (each sample is missing from at most one replica), replica 0 misses series 5 entirely, replica 1 has 10
    /// samples past the others' end, and replica 2 alone holds an extra series. Values include a stale marker.
    /// </summary>
    internal static (List<(Labels, (long T, double V)[])>[] Replicas, Dictionary<Labels, SortedDictionary<long, double>> Union) Replicas(int seriesCount, int samples)
    {
        var rnd = new Random(7);
        var replicas = new[] { new List<(Labels, (long, double)[])>(), [], [] };
        var union = new Dictionary<Labels, SortedDictionary<long, double>>();
        for (int s = 0; s <= seriesCount; s++)
        {
            var labels = Labels.FromStrings("__name__", s % 2 == 0 ? "up" : "cpu_seconds_total", "instance", $"host-{s:D2}:9100", "job", "node");
            var all = Enumerable.Range(0, samples + 10)
                .Select(i => (T: Start + (i * 15_000L) + rnd.Next(0, 200), V: i == 40 ? BitConverter.Int64BitsToDouble(StaleNaN) : Math.Round(rnd.NextDouble() * 1000, 3)))
                .ToArray();
            for (int r = 0; r < 3; r++)
            {
                bool holds = s == seriesCount ? r == 2 : !(s == 5 && r == 0);
                if (!holds)
                {
                    continue;
                }

                int end = r == 1 ? all.Length : samples;
                var kept = all.Take(end).Where((_, i) => (i + (5 * r) + s) % 11 != 0).ToArray();
                replicas[r].Add((labels, kept));
                var u = union.TryGetValue(labels, out var d) ? d : union[labels] = [];
                foreach (var (t, v) in kept)
                {
                    u[t] = v;
                }
            }
        }

        return (replicas, union);
    }
}
