using MetricsCluster.Querier.Blocks;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Querier.Tests;

/// <summary><see cref="ResolutionPicker"/>: the coarsest allowed blocks per stretch of the range, gaps filled from finer ones.</summary>
public sealed class ResolutionPickerTests
{
    private const long H = 3_600_000;
    private const long FiveM = 300_000;

    // Raw blocks cover [0, 300h) in 24h-ish steps; 5m blocks [0, 240h); a 1h block [0, 240h) only for the first 10 days.
    private static readonly BucketIndexBlock[] s_blocks =
    [
        Block("raw-a", 0, 240 * H, 0),
        Block("raw-b", 240 * H, 300 * H, 0),
        Block("5m-a", 0, 120 * H, FiveM),
        Block("5m-b", 120 * H, 240 * H, FiveM),
        Block("1h-a", 0, 120 * H, H),
    ];

    private static readonly Dictionary<Ulid, string> s_names = s_blocks.Select((b, i) => (b.Id, Name: new[] { "raw-a", "raw-b", "5m-a", "5m-b", "1h-a" }[i])).ToDictionary(p => p.Id, p => p.Name);

    [Theory]
    [InlineData(0, "raw-a,raw-b")]
    [InlineData(FiveM - 1, "raw-a,raw-b")]
    [InlineData(FiveM, "5m-a,5m-b,raw-b")]
    [InlineData(H, "1h-a,5m-b,raw-b")]
    [InlineData(24 * H, "1h-a,5m-b,raw-b")]
    public void Takes_the_coarsest_allowed_blocks_and_fills_gaps_from_finer_ones(long maxResolution, string expected)
    {
        var picked = ResolutionPicker.Pick(s_blocks, 0, (300 * H) - 1, maxResolution);
        Assert.Equal(expected, string.Join(",", picked.Select(b => s_names[b.Id])));
    }

    [Fact]
    public void A_range_inside_one_downsampled_block_reads_only_it()
    {
        var picked = ResolutionPicker.Pick(s_blocks, 10 * H, 20 * H, H);
        Assert.Equal(["1h-a"], picked.Select(b => s_names[b.Id]));
    }

    [Fact]
    public void A_gap_no_block_of_any_resolution_covers_stays_empty()
    {
        BucketIndexBlock[] blocks = [Block("5m", 0, 10 * H, FiveM), Block("5m-late", 20 * H, 30 * H, FiveM)];
        var picked = ResolutionPicker.Pick(blocks, 0, 30 * H, H);
        Assert.Equal(2, picked.Count);
    }

    private static BucketIndexBlock Block(string name, long minT, long maxT, long resolution) =>
        new(Ulid.New(minT + resolution + name.Length, new Random(name.GetHashCode(StringComparison.Ordinal))), minT, maxT, 0, Resolution: resolution);
}
