using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Storage.Shipping;

namespace MetricsCluster;

/// <summary>
/// The ingester's ring lifecycle (Mimir's ingester lifecycler): registered PENDING before its WAL replay, ACTIVE
/// once replayed, and on the way out LEAVING, head flushed to blocks and shipped, then unregistered. The leave runs
/// once, whether <c>/ingester/shutdown</c> or SIGTERM asks first.
/// </summary>
internal sealed class IngesterLifecycle(
    Lifecycler lifecycler,
    Ingester.Ingester ingester,
    ShipperService shipper,
    ILogger<IngesterLifecycle> logger)
{
    private readonly Lock _lock = new();
    private Task<Exception?>? _leaving;

    /// <summary>The ingester's state in the ring.</summary>
    public InstanceState State => lifecycler.State;

    /// <summary>Registers PENDING (before the WAL replay): the instance shows on the ring page but takes no writes.</summary>
    public Task JoinAsync(CancellationToken cancellationToken) => lifecycler.StartAsync(InstanceState.Pending, cancellationToken);

    /// <summary>Goes ACTIVE (after the WAL replay): distributors start writing here.</summary>
    public Task ActivateAsync(CancellationToken cancellationToken) => lifecycler.ChangeStateAsync(InstanceState.Active, cancellationToken);

    /// <summary>
    /// LEAVING (writes go to the other replicas), then, when <paramref name="flush"/>, the whole head cut into blocks
    /// and shipped, then unregistered. Runs once; later calls return the first call's task.
    /// </summary>
    /// <returns>Null on success, else the flush or ship failure (already logged).</returns>
    public Task<Exception?> LeaveAsync(bool flush)
    {
        lock (_lock)
        {
            return _leaving ??= LeaveCoreAsync(flush);
        }
    }

    private async Task<Exception?> LeaveCoreAsync(bool flush)
    {
        await RingStepAsync(() => lifecycler.ChangeStateAsync(InstanceState.Leaving, CancellationToken.None), "LEAVING");
        Exception? failure = null;
        if (flush)
        {
            try
            {
                int blocks = await ingester.CompactHeadsAsync(force: true, tenants: null, CancellationToken.None);
                int shipped = await shipper.ShipAllAsync(CancellationToken.None);
                logger.LogInformation("leaving the ring: flushed the heads into {Blocks} blocks, shipped {Shipped}", blocks, shipped);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ObjectStore.ObjectStoreException)
            {
                // The WAL still holds everything: a restart on this data dir replays it.
                logger.LogError(e, "leaving the ring: flushing or shipping the heads failed; the WAL keeps the samples");
                failure = e;
            }
        }

        await RingStepAsync(() => lifecycler.StopAsync(unregister: true, CancellationToken.None), "unregister");
        return failure;
    }

    private async Task RingStepAsync(Func<Task> step, string what)
    {
        try
        {
            await step();
        }
        catch (RingStoreUnavailableException e)
        {
            // The others see this instance's heartbeat go stale after the timeout instead.
            logger.LogWarning(e, "ring store unavailable: could not go {Step}", what);
        }
    }
}
