using MetricsCluster.Core.Storage;
using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>The store-gateway's choice of aggregate by the enclosing function, and the counter across chunks.</summary>
public sealed class DownsampledChunkReaderTests
{
    // Two windows stamped 299999 and 599999: counts 5 and 4, sums 50 and 20, mins 1 and 2, maxs 20 and 9.
    private static readonly byte[] s_chunk = AggrChunk.Encode([
        Xor((299_999, 5), (599_999, 4)),
        Xor((299_999, 50), (599_999, 20)),
        Xor((299_999, 1), (599_999, 2)),
        Xor((299_999, 20), (599_999, 9)),
        Xor((0, 100), (299_999, 130), (599_999, 150), (599_999, 7)),
    ]);

    [Theory]
    [InlineData("count_over_time", new[] { 5.0, 4 })]
    [InlineData("sum_over_time", new[] { 50.0, 20 })]
    [InlineData("min_over_time", new[] { 1.0, 2 })]
    [InlineData("min", new[] { 1.0, 2 })]
    [InlineData("max_over_time", new[] { 20.0, 9 })]
    [InlineData("avg_over_time", new[] { 10.0, 5 })]
    [InlineData(null, new[] { 10.0, 5 })]
    [InlineData("sum", new[] { 10.0, 5 })]
    [InlineData("rate", new[] { 100.0, 130, 150, 7 })]
    public void The_enclosing_function_picks_the_aggregate(string? func, double[] values)
    {
        var samples = new List<Sample>();
        new DownsampledChunkReader(func).Read(s_chunk, long.MinValue, long.MaxValue, samples);
        Assert.Equal(values, samples.Select(s => s.V));
    }

    [Fact]
    public void Only_samples_in_the_range_are_kept()
    {
        var samples = new List<Sample>();
        new DownsampledChunkReader("max_over_time").Read(s_chunk, 300_000, 700_000, samples);
        Assert.Equal([new Sample(599_999, 9)], samples);
    }

    [Fact]
    public void Counter_resets_are_removed_across_chunks_and_the_last_raw_value_is_not_a_sample()
    {
        // The second chunk (another block) starts at raw 3 < last raw 7: a reset, adding 3; then +2.
        var samples = new List<Sample>();
        var reader = new DownsampledChunkReader("increase");
        reader.Read(s_chunk, long.MinValue, long.MaxValue, samples);
        reader.Read(AggrChunk.Encode([Xor((900_000, 1)), Xor((900_000, 3)), Xor((900_000, 3)), Xor((900_000, 3)), Xor((600_000, 3), (900_000, 5), (900_000, 5))]), long.MinValue, long.MaxValue, samples);

        var applied = DownsampledChunkReader.ApplyCounterResets(samples.OrderBy(s => s.T));
        Assert.Equal([(0L, 100.0), (299_999L, 130.0), (599_999L, 150.0), (600_000L, 153.0), (900_000L, 155.0)], applied.Select(s => (s.T, s.V)));
    }

    private static XorChunk Xor(params (long T, double V)[] samples)
    {
        var c = new XorChunk();
        foreach (var (t, v) in samples)
        {
            c.Append(t, v);
        }

        return c;
    }
}
