using MetricsCluster.Compactor.Downsampling;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Compactor.Tests.Downsampling;

/// <summary><see cref="DownsamplePlanner"/>: Thanos' 40h and 10d thresholds, covered sources and marked blocks.</summary>
public sealed class DownsamplePlannerTests
{
    private const long Hour = 3_600_000;
    private static int s_seed;

    [Theory]
    [InlineData(0, 39, null)]
    [InlineData(0, 40, DownsampleResolution.FiveMinutes)]
    [InlineData(0, 240, DownsampleResolution.FiveMinutes)]
    [InlineData(DownsampleResolution.FiveMinutes, 239, null)]
    [InlineData(DownsampleResolution.FiveMinutes, 240, DownsampleResolution.OneHour)]
    [InlineData(DownsampleResolution.OneHour, 10_000, null)]
    public void PicksByResolutionAndSpan(long resolution, long hours, long? expected)
    {
        var block = Meta(0, hours * Hour, resolution);
        var jobs = DownsamplePlanner.Plan([block], new HashSet<Ulid>());
        Assert.Equal(expected, jobs.SingleOrDefault()?.Resolution);
    }

    [Fact]
    public void SkipsBlocksWhoseSourcesAreAlreadyDownsampled()
    {
        var raw = Meta(0, 48 * Hour, 0);
        var done = Meta(0, 48 * Hour, DownsampleResolution.FiveMinutes, raw.Compaction.Sources);
        var partly = Meta(48 * Hour, 96 * Hour, 0);
        var fiveOfPartly = Meta(48 * Hour, 72 * Hour, DownsampleResolution.FiveMinutes, [partly.Compaction.Sources[0]]);
        partly.Compaction.Sources.Add(Ulid.New(1, new Random(99)));

        var jobs = DownsamplePlanner.Plan([raw, done, partly, fiveOfPartly], new HashSet<Ulid>());

        // The raw block is covered; the other has a source no 5m block covers (a later, larger compaction).
        Assert.Equal([partly.Ulid], jobs.Select(j => j.Source.Ulid));
    }

    [Fact]
    public void LeavesOutMarkedBlocksOnBothSides()
    {
        var raw = Meta(0, 48 * Hour, 0);
        var markedFive = Meta(0, 48 * Hour, DownsampleResolution.FiveMinutes, raw.Compaction.Sources);
        var noCompact = Meta(48 * Hour, 96 * Hour, 0);

        // A marked 5m block covers nothing (it is going away), so its raw source is planned again; a marked raw block is not.
        var jobs = DownsamplePlanner.Plan([raw, markedFive, noCompact], new HashSet<Ulid> { markedFive.Ulid, noCompact.Ulid });
        Assert.Equal([raw.Ulid], jobs.Select(j => j.Source.Ulid));
    }

    private static BlockMeta Meta(long minT, long maxT, long resolution, IEnumerable<Ulid>? sources = null)
    {
        var meta = new BlockMeta { Ulid = Ulid.New(maxT + 1, new Random(Interlocked.Increment(ref s_seed))), MinTime = minT, MaxTime = maxT };
        meta.Thanos = new ThanosMeta { DownsampleResolution = resolution };
        meta.Compaction.Sources.AddRange(sources ?? [meta.Ulid]);
        return meta;
    }
}
