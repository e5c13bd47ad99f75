using MetricsCluster.Compactor;
using MetricsCluster.Compactor.Planning;

namespace MetricsCluster.Config;

/// <summary>The compactor's cleanup settings (G5).</summary>
public sealed partial class ClusterConfig
{
    /// <summary>How often the compactor cleans up every tenant (<c>--compactor.cleanup-interval</c>).</summary>
    public TimeSpan CompactorCleanupInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a marked block stays before the compactor deletes it (<c>--compactor.deletion-delay</c>).</summary>
    public TimeSpan CompactorDeletionDelay { get; set; } = TimeSpan.FromHours(12);

    /// <summary>The compaction ranges (<c>--compactor.block-ranges</c>).</summary>
    public IReadOnlyList<TimeSpan> CompactorBlockRanges { get; set; } = Compactor.CompactorOptions.DefaultBlockRanges;

    /// <summary>How often compaction runs (<c>--compactor.compaction-interval</c>).</summary>
    public TimeSpan CompactorCompactionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a first-level job waits after its newest upload (<c>--compactor.first-level-compaction-wait-period</c>).</summary>
    public TimeSpan CompactorFirstLevelCompactionWaitPeriod { get; set; } = TimeSpan.FromMinutes(25);

    /// <summary>Split-stage shards (<c>--compactor.split-and-merge-shards</c>); 0 = no split stage.</summary>
    public int CompactorSplitAndMergeShards { get; set; }

    /// <summary>Tenants compacted at once by one process (<c>--compactor.compaction-concurrency</c>).</summary>
    public int CompactorCompactionConcurrency { get; set; } = 1;

    /// <summary>The compactor's scratch directory; empty = <c>&lt;data.dir&gt;/compactor</c> (<c>--compactor.data-dir</c>).</summary>
    public string CompactorDataDir { get; set; } = string.Empty;

    /// <summary>Whether the compactor downsamples blocks of 40h and more (<c>--compactor.downsampling-enabled</c>).</summary>
    public bool CompactorDownsamplingEnabled { get; set; }

    /// <summary>The compactor's options derived from this config.</summary>
    public CompactorOptions CompactorOptions() => new()
    {
        CleanupInterval = CompactorCleanupInterval,
        DeletionDelay = CompactorDeletionDelay,
        BlockRanges = CompactorBlockRanges,
        CompactionInterval = CompactorCompactionInterval,
        FirstLevelCompactionWaitPeriod = CompactorFirstLevelCompactionWaitPeriod,
        SplitAndMergeShards = CompactorSplitAndMergeShards,
        CompactionConcurrency = CompactorCompactionConcurrency,
        DownsamplingEnabled = CompactorDownsamplingEnabled,
        DataDir = CompactorDataDir.Length > 0 ? CompactorDataDir : Path.Combine(DataDir, "compactor"),
    };

    /// <summary>The compactor's flags, in help order.</summary>
    internal static readonly ConfigOption[] CompactorFlags =
    [
        ConfigOption.Dur("compactor.cleanup-interval", "How often the compactor applies retention, deletes marked blocks and rewrites bucket indexes (also once at start).", c => c.CompactorCleanupInterval, (c, v) => c.CompactorCleanupInterval = v),
        ConfigOption.Dur("compactor.deletion-delay", "How long a block marked for deletion stays in the bucket before the compactor deletes it.", c => c.CompactorDeletionDelay, (c, v) => c.CompactorDeletionDelay = v),
        ConfigOption.Str("compactor.block-ranges", "Comma-separated compaction ranges, each dividing the next; the first is the ingesters' block range.", c => DurationList.Format(c.CompactorBlockRanges), (c, v) => c.CompactorBlockRanges = ParseRanges(v)),
        ConfigOption.Dur("compactor.compaction-interval", "How often the compactor plans and runs compaction for every tenant (also once at start).", c => c.CompactorCompactionInterval, (c, v) => c.CompactorCompactionInterval = v),
        ConfigOption.Dur("compactor.first-level-compaction-wait-period", "How long a compaction of ingester-uploaded blocks waits after their newest upload, so every replica is in; 0 = no wait.", c => c.CompactorFirstLevelCompactionWaitPeriod, (c, v) => c.CompactorFirstLevelCompactionWaitPeriod = v),
        ConfigOption.Int("compactor.split-and-merge-shards", "Shards of the split stage: blocks of the smallest range are split by series into this many blocks, each merged on its own later; 0 = no splitting.", c => c.CompactorSplitAndMergeShards, (c, v) => c.CompactorSplitAndMergeShards = v),
        ConfigOption.Int("compactor.compaction-concurrency", "How many tenants one compactor process compacts at once.", c => c.CompactorCompactionConcurrency, (c, v) => c.CompactorCompactionConcurrency = v),
        ConfigOption.Bool("compactor.downsampling-enabled", "Downsample after compaction as Thanos does: raw blocks spanning 40h+ to 5m, 5m blocks spanning 10d+ to 1h; needs a block range of at least 40h.", c => c.CompactorDownsamplingEnabled, (c, v) => c.CompactorDownsamplingEnabled = v),
        ConfigOption.Str("compactor.data-dir", "The compactor's scratch directory for downloaded and merged blocks; empty = <data.dir>/compactor.", c => c.CompactorDataDir, (c, v) => c.CompactorDataDir = v),
    ];

    private static IReadOnlyList<TimeSpan> ParseRanges(string value)
    {
        try
        {
            return DurationList.Parse(value, "compactor.block-ranges");
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(e.Message);
        }
    }
}
