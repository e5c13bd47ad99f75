using MetricsCluster.Compactor.Planning;

namespace MetricsCluster.Compactor;

/// <summary>
/// Settings of the compactor (Mimir <c>compactor.Config</c>): the blocks cleaner and the compaction planner; retention
/// itself is a per-tenant limit (<see cref="Core.Limits.Limits.CompactorBlocksRetentionPeriod"/>). Defaults are
/// Mimir's (G5).
/// </summary>
public sealed class CompactorOptions
{
    /// <summary>Gets or sets how often every tenant is cleaned up, after one run at start (<c>--compactor.cleanup-interval</c>).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Gets or sets how long a block stays after its deletion mark before it is hard-deleted, so queriers and
    /// store-gateways have stopped using it (<c>--compactor.deletion-delay</c>).
    /// </summary>
    public TimeSpan DeletionDelay { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Gets or sets the compaction ranges, ascending, each dividing the next (<c>--compactor.block-ranges</c>, default
    /// <c>2h0m0s,12h0m0s,24h0m0s</c>; parse a flag value with <see cref="DurationList.Parse"/>). The first is the
    /// ingesters' block range: replicas of it are merged vertically, then adjacent blocks into the larger ranges.
    /// </summary>
    public IReadOnlyList<TimeSpan> BlockRanges { get; set; } = DefaultBlockRanges;

    /// <summary>Gets or sets how often compaction runs over every tenant (<c>--compactor.compaction-interval</c>).</summary>
    public TimeSpan CompactionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets how long a job holding a level-1 block (as uploaded by an ingester) waits after the newest upload of
    /// its blocks, so every replica has been uploaded before the first compaction
    /// (<c>--compactor.first-level-compaction-wait-period</c>); 0 disables the wait.
    /// </summary>
    public TimeSpan FirstLevelCompactionWaitPeriod { get; set; } = TimeSpan.FromMinutes(25);

    /// <summary>
    /// Gets or sets the number of shards the split stage divides blocks into (<c>--compactor.split-and-merge-shards</c>);
    /// 0 disables splitting. With N &gt; 0, blocks of the smallest range are merged and split by series into N shard
    /// blocks, and later ranges merge each shard on its own (Mimir's split-and-merge compactor).
    /// </summary>
    public int SplitAndMergeShards { get; set; }

    /// <summary>
    /// Gets or sets how many tenants one compactor process compacts at once (<c>--compactor.compaction-concurrency</c>,
    /// Mimir's default 1): each job takes a core, its sources' and result's disk, and its merge memory.
    /// </summary>
    public int CompactionConcurrency { get; set; } = 1;

    /// <summary>
    /// Gets or sets the compactor's scratch directory (<c>--compactor.data-dir</c>): each job downloads its sources and
    /// writes its block there; emptied at start (a crashed job's leftovers are worthless).
    /// </summary>
    public string DataDir { get; set; } = Path.Combine(Path.GetTempPath(), "metricscluster-compactor");

    /// <summary>
    /// Gets or sets whether the compactor downsamples after compacting (<c>--compactor.downsampling-enabled</c>, off
    /// by default): raw blocks spanning 40h or more get a 5m copy, 5m blocks spanning 10d or more a 1h copy (Thanos'
    /// rules, docs/compactor.md#downsampling). Needs a block range of at least 40h, which Mimir's defaults lack.
    /// </summary>
    public bool DownsamplingEnabled { get; set; }

    /// <summary>Mimir's default <c>--compactor.block-ranges</c>: 2h, 12h, 24h.</summary>
    public static IReadOnlyList<TimeSpan> DefaultBlockRanges { get; } = [TimeSpan.FromHours(2), TimeSpan.FromHours(12), TimeSpan.FromHours(24)];

    /// <summary>Throws when a value is out of range, naming its flag.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (CleanupInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("compactor.cleanup-interval must be positive");
        }

        if (DeletionDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("compactor.deletion-delay must be >= 0");
        }

        ValidateBlockRanges(BlockRanges);
        if (CompactionConcurrency < 1)
        {
            throw new ArgumentException($"compactor.compaction-concurrency must be >= 1, got {CompactionConcurrency}");
        }

        if (string.IsNullOrWhiteSpace(DataDir))
        {
            throw new ArgumentException("compactor.data-dir must not be empty");
        }

        if (CompactionInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("compactor.compaction-interval must be positive");
        }

        if (FirstLevelCompactionWaitPeriod < TimeSpan.Zero)
        {
            throw new ArgumentException("compactor.first-level-compaction-wait-period must be >= 0");
        }

        if (SplitAndMergeShards < 0)
        {
            throw new ArgumentException($"compactor.split-and-merge-shards must be >= 0, got {SplitAndMergeShards}");
        }

        // With every range below 40h no raw block ever qualifies: the flag would silently do nothing.
        if (DownsamplingEnabled && BlockRanges[^1].TotalMilliseconds < Downsampling.DownsampleResolution.FiveMinutesMinRange)
        {
            throw new ArgumentException(
                $"compactor.downsampling-enabled needs a compactor.block-ranges range of at least 40h (the largest is {DurationList.FormatDuration(BlockRanges[^1])}): only blocks spanning 40h or more are downsampled, e.g. --compactor.block-ranges=2h,12h,24h,240h");
        }
    }

    /// <summary>
    /// Throws unless <paramref name="ranges"/> is a non-empty list of positive whole-millisecond durations, each
    /// strictly smaller than and dividing the next (Mimir: "compactor block range period %s is not divisible by previous
    /// one, which is %s").
    /// </summary>
    /// <exception cref="ArgumentException">The ranges are invalid; the message names <c>compactor.block-ranges</c>.</exception>
    public static void ValidateBlockRanges(IReadOnlyList<TimeSpan> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        if (ranges.Count == 0)
        {
            throw new ArgumentException("compactor.block-ranges must list at least one range");
        }

        for (int i = 0; i < ranges.Count; i++)
        {
            var r = ranges[i];
            if (r <= TimeSpan.Zero || r.Ticks % TimeSpan.TicksPerMillisecond != 0)
            {
                throw new ArgumentException($"compactor.block-ranges: range {DurationList.FormatDuration(r)} must be a positive whole number of milliseconds");
            }

            if (i == 0)
            {
                continue;
            }

            var prev = ranges[i - 1];
            if (r <= prev)
            {
                throw new ArgumentException(
                    $"compactor.block-ranges: range {DurationList.FormatDuration(r)} must be larger than the previous one, which is {DurationList.FormatDuration(prev)} (ranges are ascending)");
            }

            if (r.Ticks % prev.Ticks != 0)
            {
                throw new ArgumentException(
                    $"compactor.block-ranges: compactor block range period {DurationList.FormatDuration(r)} is not divisible by previous one, which is {DurationList.FormatDuration(prev)}");
            }
        }
    }
}
