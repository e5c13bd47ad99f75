using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// Runs <see cref="BucketStores.SyncAsync"/> at start and then every <see cref="BucketStoreOptions.SyncInterval"/>
/// (Mimir store-gateway <c>syncStores</c> loop). A failed round is logged and retried at the next tick. With lazy
/// index-headers it also drops idle ones every tenth of the idle timeout (as Mimir checks), so a header lives at
/// most 1.1 idle timeouts past its last use.
/// </summary>
public sealed partial class StoreGatewayService : BackgroundService
{
    private readonly BucketStores _stores;
    private readonly BucketStoreOptions _options;
    private readonly ILogger<StoreGatewayService> _logger;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="StoreGatewayService"/> class.</summary>
    /// <param name="stores">The stores to sync.</param>
    /// <param name="options">The sync interval.</param>
    /// <param name="logger">Receives failed rounds.</param>
    /// <param name="time">The clock of the loop (G6).</param>
    public StoreGatewayService(BucketStores stores, BucketStoreOptions options, ILogger<StoreGatewayService> logger, TimeProvider time)
    {
        _stores = stores;
        _options = options;
        _logger = logger;
        _time = time;
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _options.IndexHeaderLazyLoadingEnabled ? Task.WhenAll(SyncLoopAsync(stoppingToken), UnloadLoopAsync(stoppingToken)) : SyncLoopAsync(stoppingToken);

    private async Task UnloadLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.IndexHeaderLazyLoadingIdleTimeout / 10, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                _stores.UnloadIdleIndexHeaders();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task SyncLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.SyncInterval, _time);
        try
        {
            do
            {
                try
                {
                    await _stores.SyncAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogSyncFailed(e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "store-gateway bucket sync failed")]
    private partial void LogSyncFailed(Exception e);
}
