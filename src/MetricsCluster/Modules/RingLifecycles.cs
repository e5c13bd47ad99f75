using System.Globalization;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Config;
using MetricsCluster.StoreGateway;

namespace MetricsCluster.Modules;

/// <summary>How a component joins and leaves its ring (the ingester, store-gateway and compactor modules share it).</summary>
internal static class RingLifecycles
{
    /// <summary>Store-gateway and compactor tokens per instance (Mimir's default for both rings).</summary>
    internal const int OtherRingTokens = 512;

    /// <summary>A lifecycler of this instance in the ring <paramref name="key"/>.</summary>
    internal static Lifecycler NewLifecycler(IServiceProvider sp, ClusterConfig config, string key, int tokens, string? tokensFile)
    {
        string addr = config.EffectiveInstanceAddr;
        return new Lifecycler(
            sp.GetRequiredService<IRingStore>(),
            new LifecyclerOptions
            {
                RingKey = key,
                InstanceId = config.RingInstanceId,
                Addr = string.Create(CultureInfo.InvariantCulture, $"{addr}:{config.RpcListenPort}"),
                HttpAddr = string.Create(CultureInfo.InvariantCulture, $"{addr}:{config.HttpListenPort}"),
                Zone = config.RingZone,
                NumTokens = tokens,
                TokensFilePath = tokensFile,
            },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Lifecycler>>());
    }

    /// <summary>Goes ACTIVE once the store-gateway's first bucket sync is done, retrying while the ring store is down.</summary>
    internal static async Task ActivateWhenSyncedAsync(Lifecycler lifecycler, BucketStores stores, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            // BucketStores reports its first sync only as a flag; a one-second poll is far below the sync's own duration.
            while (!stores.IsReady)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }

            while (true)
            {
                try
                {
                    await lifecycler.ChangeStateAsync(InstanceState.Active, cancellationToken);
                    return;
                }
                catch (RingStoreUnavailableException e)
                {
                    logger.LogWarning(e, "ring store unavailable: store-gateway stays JOINING, retrying");
                    await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>LEAVING, then unregistered; bounded so a ring store that is down does not keep the process from exiting.</summary>
    internal static async Task LeaveRingAsync(Lifecycler lifecycler, ILogger logger, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout * 2);
        try
        {
            await lifecycler.ChangeStateAsync(InstanceState.Leaving, cts.Token);
            await lifecycler.StopAsync(unregister: true, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            logger.LogWarning("ring store unavailable: could not unregister from the ring within {Timeout}", timeout * 2);
        }
        catch (RingStoreUnavailableException e)
        {
            // The others see the silo leave Orleans membership instead, and skip it.
            logger.LogWarning(e, "ring store unavailable: could not unregister from the ring");
        }
    }
}
