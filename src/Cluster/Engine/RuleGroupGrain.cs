using MetricsCluster.Core;
using Microsoft.Extensions.Logging;
using Orleans.Placement;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// One rule group's evaluation owner (<see cref="IRuleGroupGrain"/>), placed by a hash of its key over the silos that
/// host ruler grains, so groups spread over the rulers. A one-shot timer fires at each slot; the slot is written to
/// grain state before the evaluation starts, so when the group moves (its silo died) the new activation starts at the
/// next slot: a slot is evaluated at most once, and the ones missed while nobody owned the group are counted.
/// </summary>
/// <remarks>
/// The timer keeps the activation alive; the rulers' periodic sync re-activates a group whose silo died (docs/ruler.md).
/// Sync and status interleave with a running evaluation, so the rules API never waits for a slow query.
/// </remarks>
[HashBasedPlacement]
internal sealed class RuleGroupGrain(
    LocalRuler local,
    ILocalSiloDetails silo,
    TimeProvider time,
    [PersistentState("rule-group", EngineStorage.Name)] IPersistentState<RuleGroupGrainState> state,
    ILogger<RuleGroupGrain> log) : Grain, IRuleGroupGrain
{
    private RuleGroupSchedule? _schedule;
    private IGrainTimer? _timer;
    private bool _stopped;

    /// <inheritdoc/>
    public Task<string> SyncAsync(RuleGroupSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        bool rearm = _schedule is null || _schedule.IntervalMs != schedule.IntervalMs || _schedule.OffsetMs != schedule.OffsetMs;
        _schedule = schedule;
        _stopped = false;
        if (rearm)
        {
            Arm();
        }

        return Task.FromResult(silo.Name);
    }

    /// <inheritdoc/>
    public Task<string?> StatusAsync() => Task.FromResult(local.Status(this.GetPrimaryKeyString()));

    /// <inheritdoc/>
    public async Task StopAsync()
    {
        _stopped = true;
        _schedule = null;
        _timer?.Dispose();
        _timer = null;
        local.Release(this.GetPrimaryKeyString());
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        local.Release(this.GetPrimaryKeyString());
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    // One-shot timers re-armed from the wall clock each time: a periodic timer drifts by the evaluation's duration.
    private void Arm()
    {
        var schedule = _schedule!;
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        long next = EvaluationSlots.Next(now, schedule.IntervalMs, schedule.OffsetMs);
        _timer?.Dispose();
        _timer = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.FromMilliseconds(next - now),
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        if (_stopped || _schedule is not { } schedule)
        {
            return;
        }

        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        long slot = EvaluationSlots.Latest(now, schedule.IntervalMs, schedule.OffsetMs);
        long last = state.State.LastSlotMs;
        try
        {
            if (slot > last)
            {
                long missed = EvaluationSlots.Missed(last, slot, schedule.IntervalMs);
                state.State.LastSlotMs = slot;

                // Written before evaluating: a crash mid-evaluation loses this slot (counted as missed by the next
                // owner), never evaluates it twice.
                await state.WriteStateAsync(cancellationToken);
                if (!await local.EvaluateAsync(this.GetPrimaryKeyString(), schedule.Fingerprint, slot, missed, cancellationToken))
                {
                    // The group was deleted from storage since the last sync.
                    await StopAsync();
                    return;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            log.LogWarning(e, "ruler: evaluation of rule group {Group} at {Slot} failed", this.GetPrimaryKeyString(), slot);
        }
        finally
        {
            if (!_stopped && _schedule is not null)
            {
                Arm();
            }
        }
    }
}
