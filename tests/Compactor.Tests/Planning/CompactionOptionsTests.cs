using MetricsCluster.Compactor.Planning;
using Xunit;

namespace MetricsCluster.Compactor.Tests.Planning;

public sealed class CompactionOptionsTests
{
    [Fact]
    public void Defaults_are_Mimirs()
    {
        var o = new CompactorOptions();
        Assert.Equal("2h0m0s,12h0m0s,24h0m0s", DurationList.Format(o.BlockRanges));
        Assert.Equal(TimeSpan.FromHours(1), o.CompactionInterval);
        Assert.Equal(TimeSpan.FromMinutes(25), o.FirstLevelCompactionWaitPeriod);
        Assert.Equal(0, o.SplitAndMergeShards);
        o.Validate();
    }

    [Theory]
    [InlineData("2h0m0s,12h0m0s,24h0m0s", new[] { 2.0, 12, 24 })]
    [InlineData("2h,12h,24h", new[] { 2.0, 12, 24 })]
    [InlineData(" 1h30m , 90m,1.5h", new[] { 1.5, 1.5, 1.5 })]
    [InlineData("1d,1w", new[] { 24.0, 168 })]
    [InlineData("30m0s", new[] { 0.5 })]
    [InlineData("", new double[0])]
    public void DurationList_parses_Go_durations(string value, double[] hours) =>
        Assert.Equal(hours.Select(TimeSpan.FromHours), DurationList.Parse(value, "compactor.block-ranges"));

    [Theory]
    [InlineData("2h,", "invalid duration \"\"")]
    [InlineData("2h,12x", "invalid duration \"12x\"")]
    [InlineData("h", "invalid duration \"h\"")]
    [InlineData("-2h", "invalid duration \"-2h\"")]
    public void DurationList_names_the_flag_and_the_bad_item(string value, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => DurationList.Parse(value, "compactor.block-ranges"));
        Assert.StartsWith("compactor.block-ranges: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(2.0, "2h0m0s")]
    [InlineData(25.0 / 60, "25m0s")]
    [InlineData(1.0 / 3600 * 1.5, "1.5s")]
    [InlineData(0.25 / 3600, "250ms")]
    [InlineData(0, "0s")]
    public void DurationList_formats_as_Go(double hours, string expected) =>
        Assert.Equal(expected, DurationList.FormatDuration(TimeSpan.FromMilliseconds(Math.Round(hours * 3_600_000))));

    [Theory]
    [InlineData("2h,5h", "compactor.block-ranges: compactor block range period 5h0m0s is not divisible by previous one, which is 2h0m0s")]
    [InlineData("2h,12h,30h", "compactor block range period 30h0m0s is not divisible by previous one, which is 12h0m0s")]
    [InlineData("12h,2h", "range 2h0m0s must be larger than the previous one, which is 12h0m0s")]
    [InlineData("2h,2h", "range 2h0m0s must be larger than the previous one, which is 2h0m0s")]
    [InlineData("0,2h", "range 0s must be a positive whole number of milliseconds")]
    [InlineData("", "compactor.block-ranges must list at least one range")]
    public void Invalid_block_ranges_are_rejected_with_the_reason(string ranges, string message)
    {
        var o = new CompactorOptions { BlockRanges = DurationList.Parse(ranges, "compactor.block-ranges") };
        Assert.Contains(message, Assert.Throws<ArgumentException>(o.Validate).Message);
    }

    [Theory]
    [InlineData("2h")]
    [InlineData("1h,2h,4h,8h")]
    [InlineData("2h,24h")]
    public void Valid_block_ranges_are_accepted(string ranges) =>
        new CompactorOptions { BlockRanges = DurationList.Parse(ranges, "compactor.block-ranges") }.Validate();

    [Theory]
    [InlineData(nameof(CompactorOptions.CompactionInterval), "compactor.compaction-interval must be positive")]
    [InlineData(nameof(CompactorOptions.FirstLevelCompactionWaitPeriod), "compactor.first-level-compaction-wait-period must be >= 0")]
    [InlineData("shards-negative", "compactor.split-and-merge-shards must be >= 0, got -1")]
    public void Other_compaction_flags_are_validated(string setting, string message)
    {
        var o = new CompactorOptions();
        switch (setting)
        {
            case nameof(CompactorOptions.CompactionInterval): o.CompactionInterval = TimeSpan.Zero; break;
            case nameof(CompactorOptions.FirstLevelCompactionWaitPeriod): o.FirstLevelCompactionWaitPeriod = TimeSpan.FromSeconds(-1); break;
            default: o.SplitAndMergeShards = -1; break;
        }

        Assert.Contains(message, Assert.Throws<ArgumentException>(o.Validate).Message);
    }

    [Fact]
    public void Positive_split_shards_are_valid() =>
        new CompactorOptions { SplitAndMergeShards = 4 }.Validate();

    [Fact]
    public void A_zero_first_level_wait_is_valid() =>
        new CompactorOptions { FirstLevelCompactionWaitPeriod = TimeSpan.Zero }.Validate();
}
