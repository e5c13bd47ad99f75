using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Compactor.Planning;

/// <summary>The planner's answer for one tenant.</summary>
/// <param name="Jobs">Jobs to run now, in Mimir's <c>smallest-range-oldest-blocks-first</c> order.</param>
/// <param name="Waiting">
/// Jobs planned but held back by <c>--compactor.first-level-compaction-wait-period</c>, in the same order; they are
/// not run, but they still keep larger jobs over the same time range from being planned (as in Mimir, where the
/// wait is checked on the planned jobs).
/// </param>
/// <param name="Redundant">
/// Blocks left out because another block already holds all their sources (the output of a compaction whose sources
/// were not marked for deletion yet, Mimir's deduplicate filter); the service may mark them for deletion.
/// </param>
public sealed record CompactionPlan(
    IReadOnlyList<CompactionJob> Jobs,
    IReadOnlyList<WaitingJob> Waiting,
    IReadOnlyList<BlockMeta> Redundant)
{
    /// <summary>A plan with nothing to do.</summary>
    public static CompactionPlan Empty { get; } = new([], [], []);
}

/// <summary>A job whose level-1 blocks were uploaded too recently.</summary>
/// <param name="Job">The job.</param>
/// <param name="ReadyAt">When the wait period of its most recently uploaded block ends.</param>
public sealed record WaitingJob(CompactionJob Job, DateTimeOffset ReadyAt);
