using MetricsCluster.ObjectStore;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Compactor.Compaction;

/// <summary>
/// One tenant's bucket as the compaction run sees it (Mimir's meta syncer): the complete blocks' metas with their
/// upload times (<c>meta.json</c>'s last-modified, as Mimir's first-level wait uses), and the blocks excluded from
/// planning because they carry a deletion or no-compact mark. Metas and upload times never change, so they are cached
/// by ULID across runs; only the listings are read again.
/// </summary>
internal sealed class TenantBlocks
{
    private readonly Dictionary<Ulid, (BlockMeta Meta, DateTimeOffset Uploaded)> _metaCache = [];

    /// <summary>Gets the complete blocks.</summary>
    public List<BlockMeta> Blocks { get; } = [];

    /// <summary>Gets the upload time of each complete block.</summary>
    public Dictionary<Ulid, DateTimeOffset> Uploaded { get; } = [];

    /// <summary>Gets the blocks with a deletion or no-compact mark.</summary>
    public HashSet<Ulid> Excluded { get; } = [];

    /// <summary>Re-reads the tenant's listing, reusing cached metas; a block whose meta.json is missing (partial) or corrupt is left out.</summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="logger">Receives corrupt metas (left out, as Mimir's meta fetcher does).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>A task that completes when the view is current.</returns>
    public async Task SyncAsync(IBucket bucket, string tenant, ILogger logger, CancellationToken cancellationToken)
    {
        Blocks.Clear();
        Uploaded.Clear();
        Excluded.Clear();
        var seen = new HashSet<Ulid>();
        await foreach (string entry in bucket.ListAsync($"{tenant}/", recursive: false, cancellationToken).ConfigureAwait(false))
        {
            if (!entry.EndsWith('/') || !Ulid.TryParse(entry.AsSpan(tenant.Length + 1, entry.Length - tenant.Length - 2), out var id))
            {
                continue;
            }

            seen.Add(id);
            if (!_metaCache.TryGetValue(id, out var cached))
            {
                // meta.json is written once, last: its time is the upload time, and neither changes afterwards.
                string metaKey = $"{tenant}/{id}/{BlockMeta.FileName}";
                try
                {
                    var attributes = await bucket.AttributesAsync(metaKey, cancellationToken).ConfigureAwait(false);
                    cached = (await ReadMetaAsync(bucket, metaKey, cancellationToken).ConfigureAwait(false), attributes.LastModified);
                }
                catch (ObjectNotFoundException)
                {
                    continue; // partial: the cleaner deals with it
                }
                catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
                {
                    logger.LogWarning(e, "compactor: tenant {Tenant}: block {Block} has an unreadable meta.json; left out of compaction", tenant, id);
                    continue;
                }

                _metaCache[id] = cached;
            }

            Blocks.Add(cached.Meta);
            Uploaded[id] = cached.Uploaded;
        }

        foreach (var gone in _metaCache.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _metaCache.Remove(gone);
        }

        string markers = $"{tenant}/{BlockDeletionMark.MarkersDirectory}/";
        await foreach (string key in bucket.ListAsync(markers, recursive: false, cancellationToken).ConfigureAwait(false))
        {
            string name = key[markers.Length..];
            foreach (string suffix in (ReadOnlySpan<string>)[BlockDeletionMark.GlobalSuffix, NoCompactMark.GlobalSuffix])
            {
                if (name.EndsWith(suffix, StringComparison.Ordinal) && Ulid.TryParse(name.AsSpan(0, name.Length - suffix.Length), out var id))
                {
                    Excluded.Add(id);
                }
            }
        }
    }

    private static async Task<BlockMeta> ReadMetaAsync(IBucket bucket, string key, CancellationToken cancellationToken)
    {
        var stream = await bucket.GetAsync(key, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return BlockMeta.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
    }
}
