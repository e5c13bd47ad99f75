using MetricsCluster.Core;
using MetricsCluster.Core.Limits;
using MetricsCluster.ObjectStore;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Compactor;

/// <summary>
/// The compactor's cleanup pass over every tenant of the blocks bucket (Mimir <c>compactor.BlocksCleaner</c>):
/// applies the tenant's retention by marking blocks for deletion, hard-deletes blocks whose mark is older than the
/// deletion delay, cleans up partial blocks, and rewrites the tenant's bucket index (docs/compactor.md). Tenants run
/// one after another: a failing tenant is logged and counted and the others still run (G17).
/// </summary>
public sealed partial class BlocksCleaner
{
    private readonly IBucket _bucket;
    private readonly IOverrides _overrides;
    private readonly CompactorOptions _options;
    private readonly BlocksCleanerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BucketIndexWriter _indexWriter;

    /// <summary>Initializes a new instance of the <see cref="BlocksCleaner"/> class.</summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="overrides">Per-tenant retention and partial-block delay.</param>
    /// <param name="options">The deletion delay.</param>
    /// <param name="metrics">Where runs are counted.</param>
    /// <param name="time">The clock of retention, deletion delay and marks (G6).</param>
    /// <param name="logger">Receives per-tenant failures and every mark and delete.</param>
    public BlocksCleaner(IBucket bucket, IOverrides overrides, CompactorOptions options, BlocksCleanerMetrics metrics, TimeProvider time, ILogger<BlocksCleaner> logger)
    {
        _bucket = bucket;
        _overrides = overrides;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _indexWriter = new BucketIndexWriter(bucket, time, logger);
    }

    /// <summary>Cleans up every tenant once.</summary>
    /// <param name="cancellationToken">Stops the run between (and inside) tenants.</param>
    /// <returns>The tenants whose cleanup failed (already logged and counted).</returns>
    public async Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var failed = new List<string>();
        foreach (string tenant in await BucketTenants.ListAsync(_bucket, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await CleanTenantAsync(tenant, cancellationToken).ConfigureAwait(false);
                _metrics.LastSuccessfulRun(tenant).Set(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed.Add(tenant);
                _metrics.TenantFailures(tenant).Inc();
                _logger.LogError(e, "compactor: cleanup of tenant {Tenant} failed; other tenants continue, it is retried next run", tenant);
            }
        }

        return failed;
    }

    /// <summary>Cleans up one tenant; errors of single blocks are logged and counted, listing or index errors throw.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the tenant's index is written (or deleted).</returns>
    public async Task CleanTenantAsync(string tenant, CancellationToken cancellationToken = default)
    {
        var limits = _overrides.For(tenant);
        var index = await _indexWriter.BuildAsync(tenant, cancellationToken).ConfigureAwait(false);
        var partials = await ListPartialBlocksAsync(tenant, index, cancellationToken).ConfigureAwait(false);

        await ApplyRetentionAsync(tenant, index, limits.CompactorBlocksRetentionPeriod, cancellationToken).ConfigureAwait(false);
        await DeleteMarkedBlocksAsync(tenant, index, partials, cancellationToken).ConfigureAwait(false);
        await CleanPartialBlocksAsync(tenant, index, partials, limits.CompactorPartialBlockDeletionDelay, cancellationToken).ConfigureAwait(false);

        index.UpdatedAt = _time.GetUtcNow().ToUnixTimeSeconds();
        if (index.Blocks.Count == 0 && index.BlockDeletionMarks.Count == 0)
        {
            // Nothing of the tenant is left: no index either, so readers see the tenant as empty (Mimir deletes it too).
            await _bucket.DeleteAsync(BucketIndex.Key(tenant), cancellationToken).ConfigureAwait(false);
            return;
        }

        index.BlockDeletionMarks.Sort((a, b) => a.Id.CompareTo(b.Id));
        using var content = new MemoryStream(index.ToGzip());
        await _bucket.UploadAsync(BucketIndex.Key(tenant), content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks every complete, unmarked block whose maxTime is older than now − retention (0 = keep forever).</summary>
    private async Task ApplyRetentionAsync(string tenant, BucketIndex index, TimeSpan retention, CancellationToken cancellationToken)
    {
        if (retention <= TimeSpan.Zero)
        {
            return;
        }

        var now = _time.GetUtcNow();
        long cutoffMs = now.ToUnixTimeMilliseconds() - (long)retention.TotalMilliseconds;
        var marked = index.BlockDeletionMarks.Select(m => m.Id).ToHashSet();

        // MaxTime is exclusive, so a block whose maxTime equals the cutoff still holds no sample older than it: strictly older only.
        foreach (var block in index.Blocks.Where(b => b.MaxTime < cutoffMs && !marked.Contains(b.Id)).ToList())
        {
            if (await TryMarkAsync(tenant, block.Id, index, now, "retention", cancellationToken).ConfigureAwait(false))
            {
                _metrics.MarkedForRetention.Inc();
            }
        }
    }

    /// <summary>Hard-deletes blocks (complete or partial) whose mark is older than the deletion delay.</summary>
    private async Task DeleteMarkedBlocksAsync(string tenant, BucketIndex index, HashSet<Ulid> partials, CancellationToken cancellationToken)
    {
        long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long delayMs = (long)_options.DeletionDelay.TotalMilliseconds;
        foreach (var mark in index.BlockDeletionMarks.Where(m => nowMs - (m.DeletionTime * 1000) > delayMs).ToList())
        {
            if (await TryDeleteAsync(tenant, mark.Id, index, "its deletion mark is older than the deletion delay", cancellationToken).ConfigureAwait(false))
            {
                partials.Remove(mark.Id);
            }
        }
    }

    private async Task<bool> TryMarkAsync(string tenant, Ulid id, BucketIndex index, DateTimeOffset now, string reason, CancellationToken cancellationToken)
    {
        try
        {
            var (mark, created) = await BlockMarker.MarkForDeletionAsync(_bucket, tenant, id, now, cancellationToken).ConfigureAwait(false);
            index.BlockDeletionMarks.RemoveAll(m => m.Id == id);
            index.BlockDeletionMarks.Add(mark);
            _logger.LogInformation("compactor: marked block {Block} of tenant {Tenant} for deletion ({Reason})", id, tenant, reason);
            return created;
        }
        catch (Exception e) when (e is ObjectStoreException or InvalidDataException)
        {
            _metrics.BlockFailures.Inc();
            _logger.LogWarning(e, "compactor: failed to mark block {Block} of tenant {Tenant} for deletion; retried next run", id, tenant);
            return false;
        }
    }

    private async Task<bool> TryDeleteAsync(string tenant, Ulid id, BucketIndex index, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await BlockMarker.DeleteAsync(_bucket, tenant, id, cancellationToken).ConfigureAwait(false);
            index.Blocks.RemoveAll(b => b.Id == id);
            index.BlockDeletionMarks.RemoveAll(m => m.Id == id);
            _metrics.Cleaned.Inc();
            _logger.LogInformation("compactor: deleted block {Block} of tenant {Tenant}: {Reason}", id, tenant, reason);
            return true;
        }
        catch (ObjectStoreException e)
        {
            _metrics.BlockFailures.Inc();
            _logger.LogWarning(e, "compactor: failed to delete block {Block} of tenant {Tenant}; retried next run", id, tenant);
            return false;
        }
    }
}
