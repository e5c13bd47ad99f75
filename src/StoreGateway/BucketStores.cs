using System.Collections.Concurrent;
using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Core.Storage;
using MetricsCluster.ObjectStore;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// The store-gateway's view of the blocks bucket (Mimir <c>BucketStores</c>): per tenant it keeps, for every block
/// listed in the bucket and not deletion-marked for longer than <see cref="BucketStoreOptions.IgnoreDeletionMarksDelay"/>,
/// the block's meta.json and <see cref="IndexHeader"/> under <see cref="BucketStoreOptions.SyncDir"/>, and answers
/// queries through <see cref="IQueryable"/> with ranged reads of the block's index and chunks (<see cref="BucketBlock"/>). <see cref="SyncAsync"/> brings the set up to date; it is thread-safe
/// with respect to queries, but syncs must not overlap (the <see cref="StoreGatewayService"/> loop runs them one
/// at a time).
/// </summary>
public sealed partial class BucketStores : IQueryable, IStoreGatewayClient, IDisposable
{
    private const string TmpSuffix = ".tmp-download";

    private readonly IBucket _bucket;
    private readonly BucketStoreOptions _options;
    private readonly ILogger<BucketStores> _logger;
    private readonly BucketIndexReader _indexReader;
    private readonly IndexCache _cache;
    private readonly ChunksCache? _chunksCache;
    private readonly LazyIndexHeaderMetrics _lazyMetrics;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TenantBlocks> _tenants = new(StringComparer.Ordinal);
    private volatile bool _synced;

    /// <summary>Initializes a new instance of the <see cref="BucketStores"/> class.</summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="options">The cache directory and sync interval; validated here.</param>
    /// <param name="logger">Receives sync failures.</param>
    /// <param name="registry">Receives the cache and index-header metrics; a private registry when null.</param>
    /// <param name="time">The clock deletion marks and index-header idleness are measured with (G6); the system clock when null.</param>
    public BucketStores(IBucket bucket, BucketStoreOptions options, ILogger<BucketStores> logger, MetricsRegistry? registry = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _bucket = bucket;
        _options = options;
        _logger = logger;
        _indexReader = new BucketIndexReader(bucket);
        registry ??= new MetricsRegistry();
        _cache = new IndexCache(options.IndexCacheMaxSizeBytes, registry);
        _chunksCache = options.ChunksCacheBackend switch
        {
            BucketStoreOptions.InMemoryBackend => new InMemoryChunksCache(options.ChunksCacheMaxSizeBytes, registry),
            BucketStoreOptions.MemcachedBackend => new MemcachedChunksCache(options.ChunksCacheMemcachedAddresses, options.ChunksCacheMemcachedTimeout, registry),
            _ => null,
        };
        _lazyMetrics = new LazyIndexHeaderMetrics(registry);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Gets the index cache shared by every block.</summary>
    public IndexCache IndexCache => _cache;

    /// <summary>Gets the chunks cache shared by every block; null when <see cref="BucketStoreOptions.ChunksCacheBackend"/> is "".</summary>
    public ChunksCache? ChunksCache => _chunksCache;

    /// <summary>Gets a value indicating whether the first sync has finished (Mimir: not ready during the first sync).</summary>
    public bool IsReady => _synced;

    /// <summary>Gets the tenants with at least one open block.</summary>
    public IReadOnlyList<string> Tenants => [.. _tenants.Where(t => !t.Value.Blocks.IsEmpty).Select(t => t.Key).Order(StringComparer.Ordinal)];

    /// <summary>The metas of <paramref name="tenant"/>'s open blocks, ordered by min time then ULID.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>The metas; empty for an unknown tenant.</returns>
    public IReadOnlyList<BlockMeta> Blocks(string tenant) =>
        _tenants.TryGetValue(tenant, out var t) ? [.. t.Blocks.Values.Select(b => b.Meta).OrderBy(m => m.MinTime).ThenBy(m => m.Ulid)] : [];

    /// <summary>
    /// Syncs every tenant found at the bucket root: downloads new blocks, drops blocks gone from the bucket, and
    /// drops tenants gone from the bucket. One tenant's failure is logged and leaves its previous blocks in place.
    /// </summary>
    /// <param name="cancellationToken">Stops the sync.</param>
    /// <returns>A task that completes when every tenant has been synced.</returns>
    public async Task SyncAsync(CancellationToken cancellationToken = default)
    {
        var tenants = await BucketTenants.ListAsync(_bucket, cancellationToken).ConfigureAwait(false);

        foreach (string tenant in tenants)
        {
            try
            {
                await SyncTenantAsync(tenant, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogTenantSyncFailed(e, tenant);
            }
        }

        foreach (string gone in _tenants.Keys.Except(tenants, StringComparer.Ordinal).ToList())
        {
            if (_tenants.TryRemove(gone, out var t))
            {
                t.DropAll();
            }
        }

        _synced = true;
    }

    /// <summary>
    /// Syncs one tenant: reads its block list (the bucket index when present, else a listing of
    /// <c>&lt;tenant&gt;/</c> and each block's meta.json; blocks without meta.json are still uploading and skipped),
    /// leaves out blocks whose deletion mark is older than <see cref="BucketStoreOptions.IgnoreDeletionMarksDelay"/>
    /// (Mimir <c>IgnoreDeletionMarkFilter</c>) and blocks of other shards (<see cref="BucketStoreOptions.OwnsBlock"/>), loads the new blocks' index-headers and drops the blocks no longer listed.
    /// </summary>
    /// <param name="tenant">The tenant; an invalid id throws <see cref="InvalidTenantIdException"/>.</param>
    /// <param name="cancellationToken">Stops the sync.</param>
    /// <returns>A task that completes when the tenant's block set is current.</returns>
    public async Task SyncTenantAsync(string tenant, CancellationToken cancellationToken = default)
    {
        TenantId.ThrowIfInvalid(tenant);
        var listed = await ListBlocksAsync(tenant, cancellationToken).ConfigureAwait(false);
        if (_options.OwnsBlock is { } owns)
        {
            // Blocks of other shards count as not listed: never loaded, and dropped below once no longer ours.
            listed.RemoveWhere(id => !owns(id));
        }

        var blocks = _tenants.GetOrAdd(tenant, _ => new TenantBlocks()).Blocks;
        string tenantDir = SafePath.Combine(_options.SyncDir, tenant);

        foreach (var id in listed.Where(id => !blocks.ContainsKey(id)).Order())
        {
            try
            {
                var block = await OpenAsync(tenant, tenantDir, id, cancellationToken).ConfigureAwait(false);
                if (block is not null)
                {
                    blocks[id] = block;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // One unreadable block must not keep the tenant's other blocks from syncing; it is retried next sync.
                LogBlockSyncFailed(e, tenant, id.ToString());
            }
        }

        foreach (var id in blocks.Keys.Where(id => !listed.Contains(id)).ToList())
        {
            if (blocks.TryRemove(id, out var dropped))
            {
                dropped.Drop();
            }
        }

        RemoveStrayDirectories(tenantDir, blocks);
    }

    /// <inheritdoc/>
    public IQuerier Querier(string tenant, long mint, long maxt) =>
        _tenants.TryGetValue(tenant, out var t) ? new StoreQuerier(t, mint, maxt) : new StoreQuerier(new TenantBlocks(), mint, maxt);

    /// <inheritdoc/>
    public IQuerier Querier(string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried)
    {
        // Recorded only when the query runs in this process (a grain call starts a new async flow, with no trace).
        QueryTrace.Record("store-gateway", "this process");
        return new StoreQuerier(_tenants.TryGetValue(tenant, out var t) ? t : new TenantBlocks(), mint, maxt, blocks, queried);
    }

    /// <summary>
    /// Drops from memory every lazily loaded index-header unused for
    /// <see cref="BucketStoreOptions.IndexHeaderLazyLoadingIdleTimeout"/> (run periodically by <see cref="StoreGatewayService"/>).
    /// </summary>
    /// <returns>How many were dropped.</returns>
    public int UnloadIdleIndexHeaders() =>
        _tenants.Values.SelectMany(t => t.Blocks.Values).Count(b => b.Block.HeaderSlot.TryUnloadIfIdle(_options.IndexHeaderLazyLoadingIdleTimeout));

    /// <summary>Gets how many index-headers are in memory now.</summary>
    public int LoadedIndexHeaders => _tenants.Values.SelectMany(t => t.Blocks.Values).Count(b => b.Block.HeaderSlot.IsLoaded);

    /// <summary>Forgets every block; the index-headers stay on disk for the next start.</summary>
    public void Dispose()
    {
        _tenants.Clear();
        if (_chunksCache is MemcachedChunksCache memcached)
        {
            // Closing the sockets completes synchronously.
            memcached.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private async Task<HashSet<Ulid>> ListBlocksAsync(string tenant, CancellationToken cancellationToken)
    {
        var (blocks, marks) = await ListBlocksAndMarksAsync(tenant, cancellationToken).ConfigureAwait(false);
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var (id, deletionTime) in marks)
        {
            // Mimir's filter: ignored once time.Since(deletion) > delay.
            if (now - deletionTime > (long)_options.IgnoreDeletionMarksDelay.TotalSeconds)
            {
                blocks.Remove(id);
            }
        }

        return blocks;
    }

    private async Task<(HashSet<Ulid> Blocks, Dictionary<Ulid, long> Marks)> ListBlocksAndMarksAsync(string tenant, CancellationToken cancellationToken)
    {
        var index = await _indexReader.ReadAsync(tenant, cancellationToken).ConfigureAwait(false);
        if (index is not null)
        {
            return ([.. index.Blocks.Select(b => b.Id)], index.BlockDeletionMarks.ToDictionary(m => m.Id, m => m.DeletionTime));
        }

        var result = new HashSet<Ulid>();
        await foreach (string entry in _bucket.ListAsync(tenant + "/", recursive: false, cancellationToken).ConfigureAwait(false))
        {
            string name = entry.TrimEnd('/');
            name = name[(name.LastIndexOf('/') + 1)..];
            if (entry.EndsWith('/') && Ulid.TryParse(name, out var id) &&
                await _bucket.ExistsAsync($"{tenant}/{id}/{BlockMeta.FileName}", cancellationToken).ConfigureAwait(false))
            {
                result.Add(id);
            }
        }

        return (result, await DeletionMarks.ListAsync(_bucket, tenant, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Opens block <paramref name="id"/>: makes sure its meta.json and index-header are in the sync dir, downloading
    /// meta.json and building the index-header with ranged reads of the index (<see cref="IndexHeaderBuilder"/>) when
    /// a previous run did not leave both there (into a temp directory renamed into place, so a directory under its
    /// final name is always whole). With lazy loading the header is not read into memory here: the first query does
    /// it (<see cref="LazyIndexHeader"/>), as Mimir's lazy reader; without, it is read (and checked) now. Returns
    /// null when the block left the bucket meanwhile.
    /// </summary>
    private async Task<StoreBlock?> OpenAsync(string tenant, string tenantDir, Ulid id, CancellationToken cancellationToken)
    {
        string dir = Path.Combine(tenantDir, id.ToString());
        string headerPath = Path.Combine(dir, IndexHeader.FileName);
        bool lazy = _options.IndexHeaderLazyLoadingEnabled;
        try
        {
            IndexHeader? header = null;
            bool local = File.Exists(headerPath) && File.Exists(Path.Combine(dir, BlockMeta.FileName));
            if (local && !lazy)
            {
                header = await TryReadLocalHeaderAsync(tenant, id, headerPath, cancellationToken).ConfigureAwait(false);
            }

            if (!local || (!lazy && header is null))
            {
                // Also replaces a whole-block download left by a version that did not read blocks lazily.
                TryDelete(dir);
                header = await DownloadHeaderAsync(tenant, dir, id, cancellationToken).ConfigureAwait(false);
                if (header is null)
                {
                    return null;
                }
            }

            var slot = new LazyIndexHeader(() => LoadHeaderAsync(tenant, dir, id), lazy ? null : header, lazy, _time, _lazyMetrics);
            var block = new BucketBlock(tenant, BlockMeta.ReadFrom(dir), slot, _bucket, _cache, _chunksCache, _options);
            return new StoreBlock(block, dir);
        }
        catch
        {
            // Built again next sync rather than reopening the same bad copy forever.
            TryDelete(dir);
            throw;
        }
    }

    /// <summary>Reads the local index-header; null (logged) when it is damaged, so the caller rebuilds it.</summary>
    private async Task<IndexHeader?> TryReadLocalHeaderAsync(string tenant, Ulid id, string headerPath, CancellationToken cancellationToken)
    {
        try
        {
            return IndexHeader.FromFile(await File.ReadAllBytesAsync(headerPath, cancellationToken).ConfigureAwait(false), headerPath);
        }
        catch (BlockCorruptionException e)
        {
            // A damaged local copy (disk, or a crash mid-write on a filesystem without atomic rename) is rebuilt.
            LogBadLocalHeader(e, tenant, id.ToString());
            return null;
        }
    }

    /// <summary>
    /// A lazy load: the local index-header, or, when it is damaged or gone, one rebuilt from the bucket and written
    /// back (unless the block's directory is gone: a block dropped while a query still reads it).
    /// </summary>
    private async Task<IndexHeader> LoadHeaderAsync(string tenant, string dir, Ulid id)
    {
        string path = Path.Combine(dir, IndexHeader.FileName);

        // Not the caller's token: the load is shared by every query waiting for it.
        if (File.Exists(path) && await TryReadLocalHeaderAsync(tenant, id, path, CancellationToken.None).ConfigureAwait(false) is { } header)
        {
            return header;
        }

        header = await IndexHeaderBuilder.BuildAsync(_bucket, BucketBlock.ObjectKey(tenant, id, "index"), CancellationToken.None).ConfigureAwait(false);
        if (Directory.Exists(dir))
        {
            string tmp = path + TmpSuffix;
            await File.WriteAllBytesAsync(tmp, header.ToFile()).ConfigureAwait(false);
            File.Move(tmp, path, overwrite: true);
        }

        return header;
    }

    private async Task<IndexHeader?> DownloadHeaderAsync(string tenant, string dir, Ulid id, CancellationToken cancellationToken)
    {
        string tmp = dir + TmpSuffix;
        TryDelete(tmp);
        Directory.CreateDirectory(tmp);
        try
        {
            var source = await _bucket.GetAsync(BucketBlock.ObjectKey(tenant, id, BlockMeta.FileName), cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var file = File.Create(Path.Combine(tmp, BlockMeta.FileName));
                await using (file.ConfigureAwait(false))
                {
                    await source.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                }
            }

            var header = await IndexHeaderBuilder.BuildAsync(_bucket, BucketBlock.ObjectKey(tenant, id, "index"), cancellationToken).ConfigureAwait(false);
            await File.WriteAllBytesAsync(Path.Combine(tmp, IndexHeader.FileName), header.ToFile(), cancellationToken).ConfigureAwait(false);
            Directory.Move(tmp, dir);
            return header;
        }
        catch (ObjectNotFoundException)
        {
            // Deleted between the listing and the download: gone from the bucket, so not ours to serve.
            TryDelete(tmp);
            return null;
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    private static void RemoveStrayDirectories(string tenantDir, ConcurrentDictionary<Ulid, StoreBlock> blocks)
    {
        if (!Directory.Exists(tenantDir))
        {
            return;
        }

        foreach (string sub in Directory.EnumerateDirectories(tenantDir))
        {
            string name = Path.GetFileName(sub);
            // A dropped block still leased by a query is deleted here too; its index-header is held in memory.
            if (name.EndsWith(TmpSuffix, StringComparison.Ordinal) || (Ulid.TryParse(name, out var id) && !blocks.ContainsKey(id)))
            {
                TryDelete(sub);
            }
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Retried at the next sync.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "store-gateway could not load the index-header of block {Block} of tenant {Tenant}")]
    private partial void LogBlockSyncFailed(Exception e, string tenant, string block);

    [LoggerMessage(Level = LogLevel.Warning, Message = "store-gateway: the local index-header of block {Block} of tenant {Tenant} is damaged; rebuilding it from the bucket")]
    private partial void LogBadLocalHeader(Exception e, string tenant, string block);

    [LoggerMessage(Level = LogLevel.Error, Message = "store-gateway sync of tenant {Tenant} failed")]
    private partial void LogTenantSyncFailed(Exception e, string tenant);

    /// <summary>The open blocks of one tenant.</summary>
    internal sealed class TenantBlocks
    {
        public ConcurrentDictionary<Ulid, StoreBlock> Blocks { get; } = new();

        public void DropAll()
        {
            foreach (var id in Blocks.Keys.ToList())
            {
                if (Blocks.TryRemove(id, out var b))
                {
                    b.Drop();
                }
            }
        }
    }
}
