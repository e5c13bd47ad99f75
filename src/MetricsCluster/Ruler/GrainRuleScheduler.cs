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
internal sealed class GrainRuleScheduler(IGrainFactory grains, RuleGroupRuntimes runtimes, ILogger<GrainRuleScheduler> log) : IRuleGroupScheduler
{
    private HashSet<string> _known = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async Task SyncAsync(IReadOnlyList<ScheduledGroup> groups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var failures = await Task.WhenAll(groups.Select(async g =>
        {
            try
            {
                await grains.GetGrain<IRuleGroupGrain>(g.Key).SyncAsync(new RuleGroupSchedule(g.Fingerprint, g.IntervalMs, g.OffsetMs)).WaitAsync(cancellationToken);
                return null;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return e.Message;
            }
        }));

        // The grains of a dying silo fail until Orleans declares it dead; the next sync activates them elsewhere.
        // One line per sync, not one per group.
        var failed = failures.Where(f => f is not null).ToArray();
        if (failed.Length > 0)
        {
            log.LogWarning("ruler: sync of {Failed} of {Groups} rule groups failed (retried at the next poll): {Error}", failed.Length, groups.Count, failed[0]);
        }

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
    /// <remarks>
    /// The grains stop with the silo, after every component (their groups then move to another ruler); until then
    /// this process's evaluations are skipped.
    /// </remarks>
    public Task StopAsync()
    {
        runtimes.Stop();
        return Task.CompletedTask;
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
