using Orleans.Concurrency;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// The evaluation owner of one rule group (key: the text the ruler builds from
/// tenant, namespace and group). Orleans keeps at most one activation per key in the cluster, so a group is evaluated
/// by one ruler at a time (docs/ruler.md, "Cluster"); the grain keeps the evaluation slots and the last one evaluated,
/// the evaluation itself is this process's <see cref="LocalRuler"/>.
/// </summary>
[Alias("mc.rule-group")]
public interface IRuleGroupGrain : IGrainWithStringKey
{
    /// <summary>
    /// Tells the grain the group exists with this schedule and definition (every ruler calls it each sync; the first
    /// call activates the grain and arms its timer, later calls re-arm it when the schedule changed).
    /// </summary>
    /// <returns>The instance id of the silo that evaluates the group.</returns>
    [Alias("sync")]
    [AlwaysInterleave]
    Task<string> SyncAsync(RuleGroupSchedule schedule);

    /// <summary>The group's state for the rules API (the ruler's own JSON), or null before its first evaluation.</summary>
    [Alias("status")]
    [AlwaysInterleave]
    Task<string?> StatusAsync();

    /// <summary>The group was deleted: stop evaluating, forget the state, and deactivate.</summary>
    [Alias("stop")]
    Task StopAsync();
}

/// <summary>When and what a rule group evaluates.</summary>
/// <param name="Fingerprint">A hash of the group's definition; a change makes the evaluation re-read it.</param>
/// <param name="IntervalMs">The evaluation interval (ms).</param>
/// <param name="OffsetMs">The group's slot within the interval (Prometheus' hash offset, ms).</param>
[GenerateSerializer]
[Alias("mc.rule-group-schedule")]
public sealed record RuleGroupSchedule([property: Id(0)] string Fingerprint, [property: Id(1)] long IntervalMs, [property: Id(2)] long OffsetMs);

/// <summary>The persisted part of a rule group grain: the last slot evaluated, so a moved group never runs one twice.</summary>
[GenerateSerializer]
[Alias("mc.rule-group-state")]
public sealed class RuleGroupGrainState
{
    /// <summary>The timestamp (ms) of the last evaluation slot started; 0 before the first.</summary>
    [Id(0)]
    public long LastSlotMs { get; set; }
}
