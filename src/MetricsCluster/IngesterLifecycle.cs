using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Storage.Shipping;

namespace MetricsCluster;

/// <summary>
/// The ingester's ring lifecycle (Mimir's ingester lifecycler): registered PENDING before its WAL replay, ACTIVE
/// once replayed, and on the way out LEAVING, head flushed to blocks and shipped, then unregistered. A leave that
/// could not put everything in the bucket reports what is left, stays LEAVING (queriers still read this instance,
/// distributors no longer write to it), keeps every local file, and may be asked again; a leave that succeeded
/// runs once, whether <c>/ingester/shutdown</c> or SIGTERM asks first. Ring writes are bounded by
/// <paramref name="ringTimeout"/>, so a membership store that is down cannot keep the process from exiting.
/// </summary>
internal sealed class IngesterLifecycle(
    Lifecycler lifecycler,
    Ingester.Ingester ingester,
    ShipperService shipper,
    ILogger<IngesterLifecycle> logger,
    TimeSpan ringTimeout)
{
    private readonly Lock _lock = new();
    private Task<Exception?>? _leaving;

    /// <summary>The ingester's state in the ring.</summary>
    public InstanceState State => lifecycler.State;

    /// <summary>The failure of the last leave, null when it succeeded or none ran; the process then exits non-zero.</summary>
    public Exception? LeaveFailure { get; private set; }

    /// <summary>Registers PENDING (before the WAL replay): the instance shows on the ring page but takes no writes.</summary>
    public Task JoinAsync(CancellationToken cancellationToken) => lifecycler.StartAsync(InstanceState.Pending, cancellationToken);

    /// <summary>Goes ACTIVE (after the WAL replay): distributors start writing here.</summary>
    public Task ActivateAsync(CancellationToken cancellationToken) => lifecycler.ChangeStateAsync(InstanceState.Active, cancellationToken);

    /// <summary>
    /// LEAVING (writes go to the other replicas), then, when <paramref name="flush"/>, the whole head cut into blocks
    /// and shipped, then, if every block is in the bucket, unregistered. Concurrent calls share one run; after a
    /// failed run the next call tries again.
    /// </summary>
    /// <returns>Null on success, else a <see cref="ShutdownIncompleteException"/> naming what is not in the bucket.</returns>
    public Task<Exception?> LeaveAsync(bool flush)
    {
        lock (_lock)
        {
            if (_leaving is { IsCompleted: true, Result: not null })
            {
                _leaving = null;
            }

            return _leaving ??= LeaveCoreAsync(flush);
        }
    }

    private async Task<Exception?> LeaveCoreAsync(bool flush)
    {
        await RingStepAsync(ct => lifecycler.ChangeStateAsync(InstanceState.Leaving, ct), "go LEAVING");
        if (flush)
        {
            // Distributors see LEAVING within a ring poll; writes still arriving meanwhile must not land after the cut.
            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await ingester.StopWritesAsync(drain.Token);
        }

        Exception? failure = flush ? await FlushAndShipAsync() : null;
        LeaveFailure = failure;
        if (failure is not null)
        {
            // Unregistering would hide the data only this instance holds from queriers; stay LEAVING instead.
            return failure;
        }

        await RingStepAsync(ct => lifecycler.StopAsync(unregister: true, ct), "unregister");
        return null;
    }

    /// <summary>Cuts every head into blocks and ships them; returns null only when nothing is left outside the bucket.</summary>
    private async Task<Exception?> FlushAndShipAsync()
    {
        Exception? cause = null;
        int blocks = 0, shipped = 0;
        try
        {
            blocks = await ingester.CompactHeadsAsync(force: true, tenants: null, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            cause = e;
        }

        try
        {
            // Ships what was cut even when some tenant's flush failed; per-tenant upload failures are logged there.
            shipped = await shipper.ShipAllAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or ObjectStore.ObjectStoreException)
        {
            cause ??= e;
        }

        var unflushed = ingester.UnflushedTenants();
        var pending = shipper.PendingBlocks();
        if (unflushed.Count == 0 && pending.Count == 0)
        {
            logger.LogInformation("leaving the ring: flushed the heads into {Blocks} blocks, shipped {Shipped}; every block is in the bucket", blocks, shipped);
            return null;
        }

        var failure = new ShutdownIncompleteException(unflushed, pending, cause);
        logger.LogError(cause, "leaving the ring: {Message}", failure.Message);
        return failure;
    }

    private async Task RingStepAsync(Func<CancellationToken, Task> step, string what)
    {
        using var timeout = new CancellationTokenSource(ringTimeout);
        try
        {
            await step(timeout.Token);
        }
        catch (RingStoreUnavailableException e)
        {
            // The others see this silo leave Orleans membership instead, and skip it.
            logger.LogWarning(e, "ring store unavailable: could not {Step}", what);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            logger.LogWarning("ring store unavailable: could not {Step} within {Timeout}; the others see this silo leave Orleans membership instead", what, ringTimeout);
        }
    }
}
