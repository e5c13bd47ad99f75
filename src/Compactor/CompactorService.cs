using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Compactor;

/// <summary>
/// The compactor module's background loop: one cleanup run at start, then one every
/// <see cref="CompactorOptions.CleanupInterval"/> (Mimir <c>BlocksCleaner.starting</c> + <c>ticker</c>).
/// Compaction (merging blocks) is not part of it yet.
/// </summary>
public sealed class CompactorService : BackgroundService
{
    private readonly BlocksCleaner _cleaner;
    private readonly CompactorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="CompactorService"/> class.</summary>
    /// <param name="cleaner">The cleanup pass.</param>
    /// <param name="options">The cleanup interval.</param>
    /// <param name="time">The clock of the interval (G6).</param>
    /// <param name="logger">Receives unexpected run failures.</param>
    public CompactorService(BlocksCleaner cleaner, CompactorOptions options, TimeProvider time, ILogger<CompactorService> logger)
    {
        _cleaner = cleaner;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Leave host start-up first: the first run lists the whole bucket.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _cleaner.RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Listing the tenants failed (the bucket is unreachable): the next interval tries again.
                _logger.LogError(e, "compactor: cleanup run failed");
            }

            try
            {
                await Task.Delay(_options.CleanupInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
