using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.StoreGateway.Tests;

public sealed class RangePartitionerTests
{
    [Theory]
    [InlineData("0-10", 0, "0-10:1")]
    [InlineData("0-10 10-20 25-30", 0, "0-20:2 25-30:1")]
    [InlineData("0-10 10-20 25-30", 5, "0-30:3")]
    [InlineData("0-10 10-20 25-30", 4, "0-20:2 25-30:1")]
    [InlineData("0-100 5-10 120-130", 0, "0-100:2 120-130:1")]
    [InlineData("", 512, "")]
    public void Ranges_closer_than_the_gap_are_read_together(string ranges, long gap, string expected)
    {
        var input = ranges.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(r => r.Split('-'))
            .Select(p => new ByteRange(long.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();

        var parts = RangePartitioner.Partition(input, gap);

        Assert.Equal(expected, string.Join(' ', parts.Select(p => $"{p.Range.Start}-{p.Range.End}:{p.Count}")));
        Assert.Equal(input.Count, parts.Sum(p => p.Count));
    }
}
