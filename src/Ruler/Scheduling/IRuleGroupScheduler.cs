using MetricsCluster.Ruler.Evaluation;

namespace MetricsCluster.Ruler.Scheduling;

/// <summary>A group to run: its key, definition fingerprint and slots.</summary>
/// <param name="Key">The group's key (<see cref="RuleGroupId"/> text).</param>
/// <param name="Fingerprint">The definition's fingerprint.</param>
/// <param name="IntervalMs">Evaluation interval (ms).</param>
/// <param name="OffsetMs">Slot offset within the interval (ms).</param>
public sealed record ScheduledGroup(string Key, string Fingerprint, long IntervalMs, long OffsetMs);

/// <summary>
/// Who evaluates which group, and when. In a cluster one grain per group (evaluated once in the cluster); in one
/// process a loop per group. Both call <see cref="RuleGroupRuntimes.EvaluateAsync"/> at each slot.
/// </summary>
public interface IRuleGroupScheduler
{
    /// <summary>Runs exactly <paramref name="groups"/>: starts new ones, updates changed ones, stops the others.</summary>
    Task SyncAsync(IReadOnlyList<ScheduledGroup> groups, CancellationToken cancellationToken);

    /// <summary>The group's state from wherever it runs, or null when it has not been evaluated yet.</summary>
    Task<GroupStatus?> StatusAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// This process is stopping: its evaluations end before the distributor and ingesters they write to stop (the
    /// groups stay in storage; nothing is marked stale).
    /// </summary>
    Task StopAsync();
}
