using MetricsCluster.Ruler.Evaluation;
using MetricsCluster.Ruler.RuleFiles;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Ruler.Scheduling;

/// <summary>
/// Reads every tenant's rule groups from storage every <c>--ruler.poll-interval</c> (and at once after a change
/// through the config API) and hands the full set to the scheduler. In a cluster every ruler does this; the group
/// grains make that idempotent, and a group whose ruler died is re-activated elsewhere by the next sync.
/// </summary>
public sealed class RuleSyncService(
    Func<CancellationToken, Task<IReadOnlyList<TenantRuleGroup>>> loadAll,
    RuleDefinitions definitions,
    IRuleGroupScheduler scheduler,
    RulerOptions options,
    TimeProvider time,
    ILogger<RuleSyncService> log) : BackgroundService
{
    private readonly SemaphoreSlim _poke = new(0);

    /// <summary>Syncs as soon as possible (a group was written or deleted).</summary>
    public void Trigger()
    {
        if (_poke.CurrentCount == 0)
        {
            _poke.Release();
        }
    }

    /// <summary>One sync: storage → definitions → scheduler.</summary>
    public async Task SyncOnceAsync(CancellationToken cancellationToken)
    {
        var groups = await loadAll(cancellationToken).ConfigureAwait(false);
        definitions.ReplaceAll(groups);
        var scheduled = groups.Select(g =>
        {
            var interval = g.Group.Interval ?? options.EvaluationInterval;
            return new ScheduledGroup(
                RuleDefinitions.Key(g),
                RuleDefinitions.Fingerprint(g),
                (long)interval.TotalMilliseconds,
                GroupSlot.OffsetMs(g.Namespace, g.Group.Name, interval));
        }).ToArray();
        await scheduler.SyncAsync(scheduled, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SyncOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "ruler: syncing rule groups from storage failed; retried at the next poll");
            }

            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var poke = _poke.WaitAsync(wait.Token);
                var delay = Task.Delay(options.PollInterval, time, wait.Token);
                await Task.WhenAny(poke, delay).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await scheduler.StopAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _poke.Dispose();
        base.Dispose();
    }
}
