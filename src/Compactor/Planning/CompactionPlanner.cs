using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Compactor.Planning;

/// <summary>
/// Plans one tenant's compaction jobs as Mimir's split-and-merge grouper does with one split group
/// (<c>pkg/compactor/split_merge_grouper.go</c> <c>planCompaction</c>; the split stage only when shards &gt; 0), then orders them
/// <c>smallest-range-oldest-blocks-first</c> (<c>job_sorting.go</c>) and holds back jobs inside the first-level wait
/// period (<c>job_wait_period.go</c>). Pure: it reads only its input and the injected clock (G6), so the service
/// decides what to fetch and what to run. Thread-safe (no mutable state).
/// </summary>
public sealed class CompactionPlanner
{
    private readonly long[] _rangesMs;
    private readonly TimeSpan _firstLevelWait;
    private readonly TimeProvider _time;
    private readonly int _splitShards;

    /// <summary>Creates a planner for the given ranges and first-level wait.</summary>
    /// <param name="blockRanges">Compaction ranges, ascending, each dividing the next (validated).</param>
    /// <param name="firstLevelWait">How long after upload a level-1 block may take part; 0 disables the wait.</param>
    /// <param name="time">The clock that says what "now" is.</param>
    /// <param name="splitShards"><c>--compactor.split-and-merge-shards</c>: 0 disables the split stage.</param>
    /// <exception cref="ArgumentException">Invalid ranges (see <see cref="CompactorOptions.ValidateBlockRanges"/>), a negative wait or shard count.</exception>
    public CompactionPlanner(IReadOnlyList<TimeSpan> blockRanges, TimeSpan firstLevelWait, TimeProvider time, int splitShards = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(splitShards);
        _splitShards = splitShards;
        ArgumentNullException.ThrowIfNull(time);
        CompactorOptions.ValidateBlockRanges(blockRanges);
        if (firstLevelWait < TimeSpan.Zero)
        {
            throw new ArgumentException("compactor.first-level-compaction-wait-period must be >= 0", nameof(firstLevelWait));
        }

        _rangesMs = [.. blockRanges.Select(r => (long)r.TotalMilliseconds)];
        _firstLevelWait = firstLevelWait;
        _time = time;
    }

    /// <summary>Creates a planner from the compactor's options.</summary>
    public CompactionPlanner(CompactorOptions options, TimeProvider time)
        : this((options ?? throw new ArgumentNullException(nameof(options))).BlockRanges, options.FirstLevelCompactionWaitPeriod, time, options.SplitAndMergeShards)
    {
    }

    /// <summary>Plans the jobs of one tenant.</summary>
    public CompactionPlan Plan(CompactionPlanInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = _time.GetUtcNow();
        var candidates = input.Blocks.Where(b => !input.Excluded.Contains(b.Ulid)).ToList();
        var (kept, redundant) = RedundantBlockFilter.Split(candidates);
        if (kept.Count == 0)
        {
            return new CompactionPlan([], [], redundant);
        }

        var jobs = new List<CompactionJob>();
        foreach (var group in kept.GroupBy(CompactionGroupKey.Of).OrderBy(g => g.Key.ToString(), StringComparer.Ordinal))
        {
            // Downsampled blocks hold aggregate chunks, which the merge cannot re-cut; each already spans its raw
            // source's range (40h or more), so they are left as written (docs/compactor.md#downsampling).
            if (group.Key.DownsampleResolution != 0)
            {
                continue;
            }

            jobs.AddRange(PlanGroup(group.Key, group));
        }

        // Mimir takes the newest block over all of the tenant's groups, not per group.
        long highestMaxTime = kept.Max(b => b.MaxTime);
        jobs.RemoveAll(j => IsPremature(j, highestMaxTime, now.ToUnixTimeMilliseconds()));
        jobs.Sort(SmallestRangeOldestBlocksFirst);

        var ready = new List<CompactionJob>(jobs.Count);
        var waiting = new List<WaitingJob>();
        foreach (var job in jobs)
        {
            if (WaitEnds(job, input.UploadTime) is { } readyAt && readyAt > now)
            {
                waiting.Add(new WaitingJob(job, readyAt));
            }
            else
            {
                ready.Add(job);
            }
        }

        return new CompactionPlan(ready, waiting, redundant);
    }

    /// <summary>
    /// The start of the aligned range of length <paramref name="rangeMs"/> holding <paramref name="t"/> (TSDB's
    /// rounding, floor division also for negative times).
    /// </summary>
    public static long RangeStart(long t, long rangeMs) => t >= 0 ? rangeMs * (t / rangeMs) : rangeMs * ((t - rangeMs + 1) / rangeMs);

    private List<CompactionJob> PlanGroup(CompactionGroupKey key, IEnumerable<BlockMeta> blocks)
    {
        // Mimir sorts by min time (ties by labels, equal here); the ULID tie-break only makes the output stable.
        var sorted = blocks.OrderBy(b => b.MinTime).ThenBy(b => b.Ulid).ToList();
        var jobs = new List<CompactionJob>();
        foreach (long range in _rangesMs)
        {
            foreach (var (start, bucket) in BucketsOf(sorted, range))
            {
                // Mimir's planCompactionByRange: in the smallest range, a bucket holding blocks never split becomes one
                // split job of those blocks (even a single one: it must be split), and nothing else is planned for it.
                if (_splitShards > 0 && range == _rangesMs[0])
                {
                    var unsplit = bucket.Where(b => CompactionGroupKey.ShardIdOf(b).Length == 0).ToList();
                    if (unsplit.Count > 0)
                    {
                        jobs.Add(new CompactionJob(key, string.Empty, start, start + range, unsplit, _splitShards));
                        continue;
                    }
                }

                // The merge stage: blocks of the same split shard (none for blocks never split) are merged, and a
                // shard with a single block has nothing to merge.
                foreach (var shard in bucket.GroupBy(CompactionGroupKey.ShardIdOf).OrderBy(s => s.Key, StringComparer.Ordinal))
                {
                    if (shard.Count() < 2)
                    {
                        continue;
                    }

                    var job = new CompactionJob(key, shard.Key, start, start + range, shard);

                    // Ranges go smallest first, so a larger job is planned only when no job of a smaller range for the
                    // same shard overlaps it: replicas are merged vertically before their window joins a larger block.
                    if (!jobs.Exists(j => Conflicts(j, job)))
                    {
                        jobs.Add(job);
                    }
                }
            }
        }

        return jobs;
    }

    /// <summary>
    /// Mimir's <c>groupBlocksByRange</c> over blocks sorted by min time: a bucket is the aligned range of the first
    /// block not yet placed, and takes every following block that starts in it and ends by its end. A block that ends
    /// after the end of its bucket (larger than the range, or not aligned to it, e.g. [1h, 3h) against 2h) is left
    /// out at this range; it is picked up by the first larger range that contains it, or never if none does.
    /// </summary>
    private static IEnumerable<(long Start, List<BlockMeta> Blocks)> BucketsOf(List<BlockMeta> sorted, long range)
    {
        for (int i = 0; i < sorted.Count;)
        {
            long start = RangeStart(sorted[i].MinTime, range), end = start + range;
            if (sorted[i].MaxTime > end)
            {
                i++;
                continue;
            }

            var bucket = new List<BlockMeta>();
            for (; i < sorted.Count && sorted[i].MinTime < end; i++)
            {
                if (sorted[i].MaxTime <= end)
                {
                    bucket.Add(sorted[i]);
                }
            }

            yield return (start, bucket);
        }
    }

    // A split job holds back every overlapping job, of any shard: its window's series are not in the shards yet.
    private static bool Conflicts(CompactionJob a, CompactionJob b) =>
        (a.ShardId == b.ShardId || a.IsSplit || b.IsSplit) && a.RangeStart < b.RangeEnd && b.RangeStart < a.RangeEnd;

    /// <summary>
    /// Mimir's guard against compacting the newest blocks too early: a job stays if its range ends by the tenant's
    /// newest block, or ended at least one range length ago (nothing more will arrive for it), or holds only level-1
    /// blocks (the vertical merge of replicas, which never waits for neighbours), or its blocks already span the whole
    /// range. So a larger range is merged only once it is complete, e.g. six 2h blocks of [0h, 12h), while three of them
    /// wait until a later block exists or the range is 12h in the past.
    /// </summary>
    private static bool IsPremature(CompactionJob job, long highestMaxTime, long nowMs) =>
        !(job.RangeEnd <= highestMaxTime
          || job.RangeEnd + job.RangeLength <= nowMs
          || job.MaxCompactionLevel == 1
          || job.MaxTime - job.MinTime == job.RangeLength);

    /// <summary>
    /// Mimir's <c>jobWaitPeriodElapsed</c>: a job whose blocks are all compacted already (min level &gt; 1) never waits;
    /// otherwise every one of its blocks (not only the level-1 ones) must have been uploaded at least the wait period
    /// ago. Returns when the wait ends, or null when the job does not wait.
    /// </summary>
    private DateTimeOffset? WaitEnds(CompactionJob job, Func<BlockMeta, DateTimeOffset> uploadTime)
    {
        if (_firstLevelWait <= TimeSpan.Zero || job.MinCompactionLevel > 1)
        {
            return null;
        }

        return job.Blocks.Max(uploadTime) + _firstLevelWait;
    }

    /// <summary>
    /// Mimir's <c>sortJobsBySmallestRangeOldestBlocksFirst</c> (without split jobs): shortest span of the blocks
    /// (max time − min time, not the range length) first, then the oldest min time, then the key for stability.
    /// Small ranges first deduplicate replicas sooner; old ranges first are the likeliest to be complete.
    /// </summary>
    private static int SmallestRangeOldestBlocksFirst(CompactionJob a, CompactionJob b)
    {
        int c = (a.MaxTime - a.MinTime).CompareTo(b.MaxTime - b.MinTime);
        if (c != 0)
        {
            return c;
        }

        c = a.MinTime.CompareTo(b.MinTime);
        return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
    }
}
