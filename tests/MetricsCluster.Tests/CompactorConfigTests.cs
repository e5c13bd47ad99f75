using MetricsCluster.Config;
using MetricsCluster.Core.Limits;
using Xunit;

namespace MetricsCluster.Host.Tests;

public sealed class CompactorConfigTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"mc-compactor-config-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void Defaults_are_mimirs()
    {
        var c = new ClusterConfig();
        Assert.Equal((TimeSpan.FromMinutes(15), TimeSpan.FromHours(12)), (c.CompactorOptions().CleanupInterval, c.CompactorOptions().DeletionDelay));
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromDays(1)), (c.Limits.CompactorBlocksRetentionPeriod, c.Limits.CompactorPartialBlockDeletionDelay));
    }

    [Fact]
    public async Task Flags_feed_the_compactor_options_and_the_tenant_limits()
    {
        var c = await Run(
            "--compactor.blocks-retention-period=30d",
            "--compactor.partial-block-deletion-delay=6h",
            "--compactor.cleanup-interval=5m",
            "--compactor.deletion-delay=1h");

        Assert.Equal((TimeSpan.FromDays(30), TimeSpan.FromHours(6)), (c.Limits.CompactorBlocksRetentionPeriod, c.Limits.CompactorPartialBlockDeletionDelay));
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromHours(1)), (c.CompactorOptions().CleanupInterval, c.CompactorOptions().DeletionDelay));
        Assert.Equal(TimeSpan.FromDays(30), new StaticOverrides(c.Limits).For("any-tenant").CompactorBlocksRetentionPeriod);
    }

    [Theory]
    [InlineData("limits:\n  compactor_blocks_retention_period: 1y\ncompactor:\n  deletion_delay: 2h\n")]
    [InlineData("compactor:\n  blocks_retention_period: 1y\n  deletion_delay: 2h\n")]
    public void Retention_is_read_from_mimirs_limits_key_and_from_the_flag_shaped_key(string yaml)
    {
        File.WriteAllText(_file, yaml);
        var c = new ClusterConfig();
        YamlConfigFile.Apply(_file, c);
        Assert.Equal(TimeSpan.FromDays(365), c.Limits.CompactorBlocksRetentionPeriod);
        Assert.Equal(TimeSpan.FromHours(2), c.CompactorDeletionDelay);
    }

    [Theory]
    [InlineData("limits:\n  compactor_blocks_retention_period: forever\n", "line 2: invalid value \"forever\" for compactor.blocks_retention_period (--compactor.blocks-retention-period)")]
    [InlineData("compactor:\n  cleanup_interval: 5x\n", "compactor.cleanup_interval (--compactor.cleanup-interval)")]
    public void Bad_yaml_values_name_the_key(string yaml, string expected)
    {
        File.WriteAllText(_file, yaml);
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => YamlConfigFile.Apply(_file, new ClusterConfig())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_range_values_name_the_key()
    {
        var negative = new ClusterConfig { Limits = new Limits { CompactorBlocksRetentionPeriod = TimeSpan.FromHours(-1) } };
        Assert.Contains("compactor_blocks_retention_period", Assert.Throws<ConfigException>(negative.Validate).Message, StringComparison.Ordinal);
        var zeroInterval = new ClusterConfig { CompactorCleanupInterval = TimeSpan.Zero };
        Assert.Contains("compactor.cleanup-interval", Assert.Throws<ConfigException>(zeroInterval.Validate).Message, StringComparison.Ordinal);
        var negativeDelay = new ClusterConfig { CompactorDeletionDelay = TimeSpan.FromSeconds(-1) };
        Assert.Contains("compactor.deletion-delay", Assert.Throws<ConfigException>(negativeDelay.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compaction_flags_feed_the_compactor_options_with_mimirs_defaults()
    {
        var d = new ClusterConfig { DataDir = "/var/mc" }.CompactorOptions();
        Assert.Equal([TimeSpan.FromHours(2), TimeSpan.FromHours(12), TimeSpan.FromHours(24)], d.BlockRanges);
        Assert.Equal((TimeSpan.FromHours(1), TimeSpan.FromMinutes(25), 0), (d.CompactionInterval, d.FirstLevelCompactionWaitPeriod, d.SplitAndMergeShards));
        Assert.Equal(Path.Combine("/var/mc", "compactor"), d.DataDir);

        var c = await Run(
            "--compactor.block-ranges=1h,4h",
            "--compactor.compaction-interval=5m",
            "--compactor.first-level-compaction-wait-period=0s",
            "--compactor.data-dir=/scratch");
        var o = c.CompactorOptions();
        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromHours(4)], o.BlockRanges);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.Zero, "/scratch"), (o.CompactionInterval, o.FirstLevelCompactionWaitPeriod, o.DataDir));
    }

    [Fact]
    public async Task Downsampling_is_off_by_default_and_on_only_with_a_range_of_40h_or_more()
    {
        Assert.False(new ClusterConfig().CompactorOptions().DownsamplingEnabled);
        var c = await Run("--compactor.downsampling-enabled=true", "--compactor.block-ranges=2h,24h,240h");
        Assert.True(c.CompactorOptions().DownsamplingEnabled);

        File.WriteAllText(_file, "compactor:\n  downsampling_enabled: true\n");
        var yaml = new ClusterConfig();
        YamlConfigFile.Apply(_file, yaml);
        Assert.Contains("compactor.downsampling-enabled needs a compactor.block-ranges range of at least 40h", Assert.Throws<ConfigException>(yaml.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_block_ranges_name_the_flag_and_the_reason()
    {
        File.WriteAllText(_file, "compactor:\n  block_ranges: 2h,5h\n");
        var c = new ClusterConfig();
        YamlConfigFile.Apply(_file, c);
        Assert.Contains("not divisible by previous one", Assert.Throws<ConfigException>(c.Validate).Message, StringComparison.Ordinal);

        File.WriteAllText(_file, "compactor:\n  block_ranges: 2h,soon\n");
        Assert.Contains("compactor.block-ranges", Assert.Throws<ConfigException>(() => YamlConfigFile.Apply(_file, new ClusterConfig())).Message, StringComparison.Ordinal);
    }

    private static async Task<ClusterConfig> Run(params string[] args)
    {
        ClusterConfig? seen = null;
        var root = Config.CommandLine.Build((c, _) =>
        {
            seen = c;
            return Task.FromResult(0);
        });
        Assert.Equal(0, await root.Parse(args).InvokeAsync());
        return seen!;
    }
}
