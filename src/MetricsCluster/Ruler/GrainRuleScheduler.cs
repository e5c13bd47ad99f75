using MetricsCluster.Cluster.Engine;
using MetricsCluster.Ruler.Evaluation;
using MetricsCluster.Ruler.Scheduling;

namespace MetricsCluster.Ruler;

/// <summary>
/// The cluster scheduler: one <see cref="IRuleGroupGrain"/> per group. Every ruler syncs every group each poll (the
/// grain is one activation in the cluster, so that is idempotent, and it re-activates a group whose silo died on
/// another ruler); groups gone since this process's last sync are stopped. A group deleted while no ruler that knew
/// it was running stops itself at its next slot, when its definition is no longer found.
/// </summary>
internal sealed class GrainRuleScheduler(IGrainFactory grains, ILogger<GrainRuleScheduler> log) : IRuleGroupScheduler
{
    private HashSet<string> _known = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async Task SyncAsync(IReadOnlyList<ScheduledGroup> groups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var calls = groups.Select(async g =>
        {
            try
            {
                await grains.GetGrain<IRuleGroupGrain>(g.Key).SyncAsync(new RuleGroupSchedule(g.Fingerprint, g.IntervalMs, g.OffsetMs)).WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The grain's silo may be dying; the next sync activates it elsewhere.
                log.LogWarning("ruler: sync of rule group {Group} failed: {Error}", g.Key, e.Message);
            }
        });
        await Task.WhenAll(calls);
        var now = groups.Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (string gone in _known.Where(k => !now.Contains(k)))
        {
            try
            {
                await grains.GetGrain<IRuleGroupGrain>(gone).StopAsync().WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("ruler: stopping deleted rule group {Group} failed: {Error}", gone, e.Message);
            }
        }

        _known = now;
    }

    /// <inheritdoc/>
    public async Task<GroupStatus?> StatusAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return RuleGroupRuntimes.ParseStatus(await grains.GetGrain<IRuleGroupGrain>(key).StatusAsync().WaitAsync(cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("ruler: status of rule group {Group} failed: {Error}", key, e.Message);
            return null;
        }
    }
}
