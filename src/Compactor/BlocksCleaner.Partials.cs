using MetricsCluster.ObjectStore;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Compactor;

/// <summary>Partial blocks: block dirs without <c>meta.json</c> (an upload cut short, or a delete cut short).</summary>
public sealed partial class BlocksCleaner
{
    /// <summary>
    /// The tenant's block dirs with no <c>meta.json</c>. Blocks whose meta.json exists but is corrupt are not
    /// partial (the index builder logs them) and are left alone, as Mimir does.
    /// </summary>
    private async Task<HashSet<Ulid>> ListPartialBlocksAsync(string tenant, BucketIndex index, CancellationToken cancellationToken)
    {
        var complete = index.Blocks.Select(b => b.Id).ToHashSet();
        var partials = new HashSet<Ulid>();
        await foreach (string entry in _bucket.ListAsync(tenant + "/", recursive: false, cancellationToken).ConfigureAwait(false))
        {
            string name = entry.TrimEnd('/');
            name = name[(name.LastIndexOf('/') + 1)..];
            if (entry.EndsWith('/') && Ulid.TryParse(name, out var id) && !complete.Contains(id)
                && !await _bucket.ExistsAsync($"{tenant}/{id}/{BlockMeta.FileName}", cancellationToken).ConfigureAwait(false))
            {
                partials.Add(id);
            }
        }

        return partials;
    }

    /// <summary>
    /// A partial block with a deletion mark is a delete cut short: it is finished now, whatever the delay (Mimir).
    /// A partial block without one whose newest object is older than <paramref name="delay"/> is an upload that
    /// will never finish: it is marked, and deleted by the next run. Zero <paramref name="delay"/> leaves those alone.
    /// </summary>
    private async Task CleanPartialBlocksAsync(string tenant, BucketIndex index, HashSet<Ulid> partials, TimeSpan delay, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var id in partials.Order())
        {
            try
            {
                bool marked = index.BlockDeletionMarks.Exists(m => m.Id == id)
                    || await BlockMarker.ReadBlockMarkAsync(_bucket, tenant, id, cancellationToken).ConfigureAwait(false) is not null;
                if (marked)
                {
                    await TryDeleteAsync(tenant, id, index, "partial block with a deletion mark", cancellationToken).ConfigureAwait(false);
                }
                else if (delay > TimeSpan.Zero && await IsStaleAsync(tenant, id, now - delay, cancellationToken).ConfigureAwait(false)
                    && await TryMarkAsync(tenant, id, index, now, "stale partial block", cancellationToken).ConfigureAwait(false))
                {
                    _metrics.MarkedPartial.Inc();
                }
            }
            catch (Exception e) when (e is ObjectStoreException or InvalidDataException)
            {
                _metrics.BlockFailures.Inc();
                _logger.LogWarning(e, "compactor: failed to inspect partial block {Block} of tenant {Tenant}; retried next run", id, tenant);
            }
        }
    }

    /// <summary>Whether every object of the partial block was last modified before <paramref name="cutoff"/>.</summary>
    private async Task<bool> IsStaleAsync(string tenant, Ulid id, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        bool any = false;
        await foreach (string key in _bucket.ListAsync($"{tenant}/{id}/", recursive: true, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if ((await _bucket.AttributesAsync(key, cancellationToken).ConfigureAwait(false)).LastModified >= cutoff)
                {
                    return false;
                }

                any = true;
            }
            catch (ObjectNotFoundException)
            {
                // Deleted while listing: someone else is working on the block; not stale.
                return false;
            }
        }

        return any;
    }
}
