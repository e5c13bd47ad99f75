using Microsoft.Extensions.Logging;
using Orleans.Placement;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// One tenant's compaction owner (<see cref="ICompactorGrain"/>), placed by a hash of the tenant over the silos that host
/// compactor grains (only compactor silos keep this class), so tenants spread over the compactors. The run itself is
/// this process's <see cref="LocalCompactor"/>; the grain only makes sure one runs at a time per tenant in the cluster.
/// </summary>
/// <remarks>
/// Turn-based (not reentrant): concurrent asks from several compactors are serialised, and the first one of an interval
/// starts the run. The activation stays while a run is going (a deactivation cancels it: the compaction's crash safety
/// makes that harmless, docs/compactor.md). If the silo dies, the next ask activates the grain on another compactor.
/// </remarks>
[HashBasedPlacement]
internal sealed class CompactorGrain(LocalCompactor local, ILocalSiloDetails silo, TimeProvider time, ILogger<CompactorGrain> log) : Grain, ICompactorGrain
{
    private readonly CancellationTokenSource _stop = new();
    private Task<int>? _running;
    private long _lastStart = long.MinValue;
    private int _lastFailed;

    /// <inheritdoc/>
    public Task<CompactorGrainRun> RunAsync(TimeSpan minInterval)
    {
        string owner = silo.Name;
        if (_running is { IsCompleted: false })
        {
            return Task.FromResult(new CompactorGrainRun(false, owner, _lastFailed));
        }

        if (_running is { } finished)
        {
            _lastFailed = finished.IsCompletedSuccessfully ? finished.Result : 1;
        }

        long now = time.GetTimestamp();
        if (_lastStart != long.MinValue && time.GetElapsedTime(_lastStart, now) < minInterval * 0.9)
        {
            // Another compactor's ask of this interval already ran it (their tickers are not aligned: 10 % slack).
            return Task.FromResult(new CompactorGrainRun(false, owner, _lastFailed));
        }

        _lastStart = now;
        string tenant = this.GetPrimaryKeyString();

        // Off the grain's scheduler: a run is minutes of disk and bucket I/O, and must not block the next ask's turn.
        _running = Task.Run(() => RunOnceAsync(tenant), CancellationToken.None);
        DelayDeactivation(TimeSpan.FromHours(24));
        return Task.FromResult(new CompactorGrainRun(true, owner, _lastFailed));
    }

    /// <inheritdoc/>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_running is { } running)
        {
            try
            {
                await running.WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
                // Shutdown outlasted the run's cancellation: the job left behind is finished or discarded by the next run.
            }
        }

        _stop.Dispose();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private async Task<int> RunOnceAsync(string tenant)
    {
        try
        {
            // Runs on the thread pool (started by Task.Run), not the grain scheduler, so no context to keep.
            return await local.CompactTenantAsync(tenant, _stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception e)
        {
            log.LogError(e, "compactor: compaction of tenant {Tenant} failed; retried next interval", tenant);
            return 1;
        }
    }
}
