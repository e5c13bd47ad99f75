using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Storage;
using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Chunks;

public sealed class EncodedChunkSeriesTests
{
    private static readonly Labels s_up = Labels.FromStrings("__name__", "up");

    public static TheoryData<string, long[][], long, long, long[]> Cases => new()
    {
        // Replica A misses 40..60 and replica B misses 0..20 and 90: together they have every sample.
        { "complementary gaps", [[0, 10, 20, 30, 70, 80, 90], [30, 40, 50, 60, 70, 80]], 0, 100, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90] },
        { "identical replicas", [[0, 10, 20, 30], [0, 10, 20, 30], [0, 10, 20, 30]], 0, 100, [0, 10, 20, 30] },
        { "not overlapping", [[0, 10, 20], [30, 40], [50]], 0, 100, [0, 10, 20, 30, 40, 50] },
        { "touching at one timestamp", [[0, 10, 20], [20, 30]], 0, 100, [0, 10, 20, 30] },
        { "overlap clipped to the range", [[0, 10, 20, 30, 40], [15, 25, 35, 45]], 12, 35, [15, 20, 25, 30, 35] },
        { "replica chunks cut at different points", [[0, 10], [20, 30, 40], [0, 10, 20], [30], [40, 50]], 0, 100, [0, 10, 20, 30, 40, 50] },
        { "out of order, not overlapping", [[30, 40], [0, 10]], 0, 100, [0, 10, 30, 40] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Iterates_every_timestamp_once_in_order(string name, long[][] chunks, long mint, long maxt, long[] expected)
    {
        Assert.NotNull(name);
        var series = new EncodedChunkSeries(s_up, [.. chunks.Select(Chunk)], mint, maxt);

        var got = Drain(series.Iterator(null));

        Assert.Equal(expected, got.Select(s => s.T));
        // Every replica writes value = timestamp / 10, so a value from the wrong chunk would show.
        Assert.All(got, s => Assert.Equal(s.T / 10.0, s.V));
    }

    [Fact]
    public void Iterators_are_reused_across_both_paths()
    {
        var overlapping = new EncodedChunkSeries(s_up, [Chunk([0, 20]), Chunk([10, 30])], 0, 100);
        var chained = new EncodedChunkSeries(s_up, [Chunk([0, 20]), Chunk([30, 40])], 0, 100);

        var it = overlapping.Iterator(null);
        Assert.Equal([0L, 10, 20, 30], Drain(it).Select(s => s.T));
        it = chained.Iterator(it);
        Assert.Equal([0L, 20, 30, 40], Drain(it).Select(s => s.T));
        it = overlapping.Iterator(it);
        Assert.Equal([0L, 10, 20, 30], Drain(it).Select(s => s.T));
    }

    [Fact]
    public void A_corrupt_overlapping_chunk_surfaces_its_error()
    {
        var good = Chunk([0, 10, 20]);
        var bad = new EncodedChunk(5, 25, ChunkEncoding.Xor, new byte[] { 0, 3, 0xFF });
        var it = new EncodedChunkSeries(s_up, [good, bad], 0, 100).Iterator(null);

        Drain(it);

        Assert.NotNull(it.Error);
    }

    [Theory]
    [InlineData(30L)]
    [InlineData(5L)]
    public void A_chunk_of_an_unknown_encoding_is_an_error_not_a_gap(long minTime)
    {
        // minTime 30 chains after the first chunk (fast path); 5 overlaps it (merging path).
        var good = Chunk([0, 10, 20]);
        var odd = new EncodedChunk(minTime, 40, 9, good.Data);
        var it = new EncodedChunkSeries(s_up, [good, odd], 0, 100).Iterator(null);

        Drain(it);

        Assert.IsType<NotSupportedException>(it.Error);
        Assert.Contains("encoding 9", it.Error!.Message, StringComparison.Ordinal);
    }

    private static EncodedChunk Chunk(long[] ts)
    {
        var c = new XorChunk();
        foreach (long t in ts)
        {
            c.Append(t, t / 10.0);
        }

        return new EncodedChunk(ts[0], ts[^1], ChunkEncoding.Xor, c.ToArray());
    }

    private static List<Sample> Drain(SampleIterator it)
    {
        var list = new List<Sample>();
        while (it.Next())
        {
            list.Add(new Sample(it.T, it.V));
        }

        return list;
    }
}
