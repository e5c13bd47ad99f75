using System.Collections.Concurrent;
using MetricsCluster.Core;
using MetricsCluster.ObjectStore;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Storage.Shipping;

/// <summary>
/// Every <see cref="ShipperOptions.ShipInterval"/>, ships the blocks of every tenant under
/// <see cref="ShipperOptions.TsdbDir"/> (Mimir ingester <c>shipBlocksLoop</c>); the ingester deletes shipped blocks
/// past its local retention. One tenant's failure does
/// not stop the others; a failed block is retried next round.
/// </summary>
public sealed class ShipperService : BackgroundService
{
    private readonly IBucket _bucket;
    private readonly ShipperOptions _options;
    private readonly ShipperMetrics _metrics;
    private readonly ILogger<ShipperService> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Shipper> _shippers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _round = new(1, 1);

    /// <summary>Initializes a new instance of the <see cref="ShipperService"/> class.</summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="options">Directory, interval and retention; validated here.</param>
    /// <param name="metrics">The shipper metrics.</param>
    /// <param name="logger">Receives failures.</param>
    /// <param name="time">The clock of the loop and of retention (G6).</param>
    public ShipperService(IBucket bucket, ShipperOptions options, ShipperMetrics metrics, ILogger<ShipperService> logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _bucket = bucket;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _time = time;
    }

    /// <summary>
    /// Runs one round now: ships every tenant. Rounds never overlap; a caller arriving during
    /// a round waits for it and then runs its own (so a later <c>/ingester/flush</c> sees its blocks shipped).
    /// </summary>
    /// <param name="cancellationToken">Stops the round.</param>
    /// <returns>The number of blocks uploaded.</returns>
    public async Task<int> ShipAllAsync(CancellationToken cancellationToken = default)
    {
        await _round.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int shipped = 0;
            foreach (var shipper in TenantShippers())
            {
                shipped += await ShipTenantAsync(shipper, cancellationToken).ConfigureAwait(false);
            }

            return shipped;
        }
        finally
        {
            _round.Release();
        }
    }

    /// <summary>
    /// Every complete local block not yet shipped, per tenant (tenants with none are left out): what a shutdown that
    /// claims "everything is in the bucket" must find empty.
    /// </summary>
    /// <returns>Tenant to its unshipped block IDs, tenants sorted.</returns>
    public IReadOnlyList<(string Tenant, IReadOnlyList<Ulid> Blocks)> PendingBlocks() =>
        [.. TenantShippers().Select(s => (s.Tenant, s.Pending())).Where(p => p.Item2.Count > 0)];

    /// <inheritdoc/>
    public override void Dispose()
    {
        _round.Dispose();
        base.Dispose();
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ShipInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await ShipAllAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown; an unfinished block is shipped again after the restart.
        }
    }

    private async Task<int> ShipTenantAsync(Shipper shipper, CancellationToken cancellationToken)
    {
        try
        {
            int shipped = await shipper.ShipAsync(cancellationToken).ConfigureAwait(false);
            if (shipped > 0)
            {
                _logger.LogInformation("tenant {Tenant}: shipped {Shipped} blocks", shipper.Tenant, shipped);
            }

            return shipped;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics.DirSyncFailures.Inc();
            _logger.LogError(e, "shipping tenant {Tenant} failed", shipper.Tenant);
            return 0;
        }
    }

    private IEnumerable<Shipper> TenantShippers()
    {
        if (!Directory.Exists(_options.TsdbDir))
        {
            return [];
        }

        return Directory.EnumerateDirectories(_options.TsdbDir)
            .Select(Path.GetFileName)
            .OfType<string>()
            // Every directory named by a valid tenant id is a tenant (".a" and "x.tmp" included: the ingester keeps its
            // temporary directories inside the tenant's), and nothing else is: the ingester never creates one.
            .Where(t => TenantId.Validate(t) is null)
            .Order(StringComparer.Ordinal)
            .Select(t => _shippers.GetOrAdd(t, tenant => new Shipper(_bucket, tenant, SafePath.Combine(_options.TsdbDir, tenant), _metrics, _logger, _time)))
            .ToList();
    }
}
