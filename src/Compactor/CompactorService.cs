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
    private readonly Func<string, CancellationToken, Task>? _compactTenant;
    private readonly IBucket? _bucket;
    private readonly CompactorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

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
    /// <param name="compactTenant">
    /// Compacts one tenant: <see cref="Compaction.TenantCompactor.CompactAsync"/> in a single process; in a cluster, an ask to the
    /// tenant's compactor grain, which runs it on one compactor at a time.
    /// </param>
    /// <param name="bucket">The blocks bucket, whose tenants are compacted.</param>
    /// <param name="options">The intervals and the scratch directory.</param>
    /// <param name="time">The clock of the intervals (G6).</param>
    /// <param name="logger">Receives unexpected run failures.</param>
    public CompactorService(BlocksCleaner cleaner, Func<string, CancellationToken, Task> compactTenant, IBucket bucket, CompactorOptions options, TimeProvider time, ILogger<CompactorService> logger)
        : this(cleaner, options, time, logger)
    {
        _compactTenant = compactTenant;
        _bucket = bucket;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Leave host start-up first: the first runs list the whole bucket.
        await Task.Yield();
        var cleanup = LoopAsync("cleanup", _options.CleanupInterval, ct => _cleaner.RunOnceAsync(ct), stoppingToken);
        if (_compactTenant is null)
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
                await _compactTenant!(tenant, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Listing or marking failed (the bucket is unreachable), or the tenant's grain could not be reached: other
                // tenants still run, this one next interval.
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
