using MetricsCluster.Compactor.Compaction;
using MetricsCluster.ObjectStore;
using MetricsCluster.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Compactor;

/// <summary>
/// The compactor module's background loops (Mimir <c>MultitenantCompactor</c> + <c>BlocksCleaner</c>): the cleanup
/// runs at start and every <see cref="CompactorOptions.CleanupInterval"/>; compaction of every tenant runs at start and
/// every <see cref="CompactorOptions.CompactionInterval"/>. The two are independent: compaction excludes blocks with a
/// deletion mark, and the cleaner only hard-deletes marked blocks and partial blocks older than a day.
/// </summary>
public sealed class CompactorService : BackgroundService
{
    private readonly BlocksCleaner _cleaner;
    private readonly TenantCompactor? _compactor;
    private readonly IBucket? _bucket;
    private readonly CompactorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CompactionMetrics? _metrics;

    /// <summary>Initializes a new instance of the <see cref="CompactorService"/> class that only cleans up.</summary>
    /// <param name="cleaner">The cleanup pass.</param>
    /// <param name="options">The intervals.</param>
    /// <param name="time">The clock of the intervals (G6).</param>
    /// <param name="logger">Receives unexpected run failures.</param>
    public CompactorService(BlocksCleaner cleaner, CompactorOptions options, TimeProvider time, ILogger<CompactorService> logger)
    {
        _cleaner = cleaner;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Initializes a new instance of the <see cref="CompactorService"/> class that cleans up and compacts.</summary>
    /// <param name="cleaner">The cleanup pass.</param>
    /// <param name="compactor">The per-tenant compaction.</param>
    /// <param name="bucket">The blocks bucket, whose tenants are compacted.</param>
    /// <param name="metrics">The compaction metrics (last successful run per tenant).</param>
    /// <param name="options">The intervals and the scratch directory.</param>
    /// <param name="time">The clock of the intervals (G6).</param>
    /// <param name="logger">Receives unexpected run failures.</param>
    public CompactorService(BlocksCleaner cleaner, TenantCompactor compactor, IBucket bucket, CompactionMetrics metrics, CompactorOptions options, TimeProvider time, ILogger<CompactorService> logger)
        : this(cleaner, options, time, logger)
    {
        _compactor = compactor;
        _bucket = bucket;
        _metrics = metrics;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Leave host start-up first: the first runs list the whole bucket.
        await Task.Yield();
        var cleanup = LoopAsync("cleanup", _options.CleanupInterval, ct => _cleaner.RunOnceAsync(ct), stoppingToken);
        if (_compactor is null)
        {
            await cleanup.ConfigureAwait(false);
            return;
        }

        // A job cut short by a crash left its downloads here; nothing in it is worth keeping.
        if (Directory.Exists(_options.DataDir))
        {
            Directory.Delete(_options.DataDir, recursive: true);
        }

        var compaction = LoopAsync("compaction", _options.CompactionInterval, CompactAllAsync, stoppingToken);
        await Task.WhenAll(cleanup, compaction).ConfigureAwait(false);
    }

    private async Task CompactAllAsync(CancellationToken cancellationToken)
    {
        foreach (string tenant in await BucketTenants.ListAsync(_bucket!, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (await _compactor!.CompactAsync(tenant, cancellationToken).ConfigureAwait(false) == 0)
                {
                    _metrics!.LastSuccessfulRun(tenant).Set(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Listing or marking failed (the bucket is unreachable): other tenants still run, this one next interval.
                _logger.LogError(e, "compactor: compaction of tenant {Tenant} failed; other tenants continue, it is retried next run", tenant);
            }
        }
    }

    private async Task LoopAsync(string what, TimeSpan interval, Func<CancellationToken, Task> run, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await run(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Listing the tenants failed (the bucket is unreachable): the next interval tries again.
                _logger.LogError(e, "compactor: {What} run failed", what);
            }

            try
            {
                await Task.Delay(interval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
