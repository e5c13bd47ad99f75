using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Chunks;

/// <summary>Thanos' aggregate chunk layout (docs/format/chunks.md §5) and the counter-reset rule that reads it.</summary>
public sealed class AggrChunkTests
{
    [Fact]
    public void Encodes_Thanos_layout_byte_for_byte()
    {
        var count = Xor((1000, 2));
        var counter = Xor((999, 5), (1000, 7), (1000, 6));
        byte[] chunk = AggrChunk.Encode([count, null, new XorChunk(), null, counter]);

        // Slot: uvarint len, encoding 1, data; absent slots (null or empty) are a single 0.
        byte[] expected = [(byte)count.Bytes.Length, 1, .. count.Bytes, 0, 0, 0, (byte)counter.Bytes.Length, 1, .. counter.Bytes];
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(chunk));
    }

    [Theory]
    [InlineData(AggrType.Count, true)]
    [InlineData(AggrType.Sum, false)]
    [InlineData(AggrType.Min, false)]
    [InlineData(AggrType.Max, true)]
    [InlineData(AggrType.Counter, true)]
    public void Each_slot_reads_back_or_reports_absent(AggrType type, bool present)
    {
        var parts = new XorChunk?[5];
        parts[(int)AggrType.Count] = Xor((10, 3));
        parts[(int)AggrType.Max] = Xor((10, 9.5), (20, -1));
        parts[(int)AggrType.Counter] = Xor((5, 1), (10, 4), (10, 2));
        byte[] chunk = AggrChunk.Encode(parts);

        Assert.Equal(present, AggrChunk.TryGet(chunk, type, out var data));
        if (present)
        {
            Assert.Equal(Convert.ToHexString(parts[(int)type]!.Bytes), Convert.ToHexString(data.Span));
        }
    }

    [Theory]
    [InlineData("", "bad length")]
    [InlineData("05010000", "runs past")]
    [InlineData("02020000", "encoding 2")]
    [InlineData("FFFFFFFFFFFFFFFFFFFF01", "bad length")]
    public void A_malformed_chunk_says_where(string hex, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => AggrChunk.TryGet(Convert.FromHexString(hex), AggrType.Count, out _));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CounterResets_removes_resets_and_uses_equal_timestamps_as_the_true_last_value()
    {
        // Chunk 1: first raw 10, windows 12 and 15 (a reset inside: raw went 10, 12, 3, 5), last raw 5 at 30.
        // Chunk 2: first raw 1 (a reset between chunks, seen only through the last raw value), window 4, last raw 4.
        (long, double)[] stored = [(0, 10), (10, 12), (30, 15), (30, 5), (40, 1), (50, 4), (50, 4), (45, 100), (60, double.NaN)];
        var resets = default(CounterResets);
        var emitted = new List<(long, double)>();
        foreach (var (t, v) in stored)
        {
            if (resets.Add(t, v, out long ot, out double ov))
            {
                emitted.Add((ot, ov));
            }
        }

        // 15 at 30, then 1 < 5 is a reset (+1 = 16), then +3 = 19; the sample back in time and the NaN are dropped.
        Assert.Equal([(0L, 10.0), (10L, 12.0), (30L, 15.0), (40L, 16.0), (50L, 19.0)], emitted);
        Assert.Equal(4, resets.LastRaw);
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
