using MetricsCluster.ObjectStore;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Storage.Shipping;

/// <summary>
/// Uploads one tenant's complete local blocks to <c>&lt;tenant&gt;/&lt;ULID&gt;/</c> in the bucket and records them in
/// <see cref="ShipperState"/> (Thanos <c>shipper.Shipper</c>, as Mimir's ingester uses it).
/// </summary>
/// <remarks>
/// <para>Per block, the chunk segments and the index are uploaded first and <c>meta.json</c> last, so a reader that
/// finds <c>meta.json</c> finds a whole block; only then is the block recorded as shipped. A crash in between
/// re-uploads the same objects next round (uploads replace whole objects), so shipping is idempotent.</para>
/// <para>A failing bucket is logged and counted, the block stays unrecorded and is retried next round; nothing local
/// is deleted because of a failure. Local blocks are never deleted here: the ingester applies its local retention to shipped
/// blocks (it must first stop queries from reading them). Directories whose name is not a ULID (including <c>*.tmp-for-creation</c> and <c>*.tmp-for-deletion</c>)
/// or without <c>meta.json</c> are ignored. Tombstones are not uploaded (as Thanos).</para>
/// <para>Not thread-safe: one caller ships a tenant at a time (<see cref="ShipperService"/> does).</para>
/// </remarks>
public sealed class Shipper
{
    private readonly IBucket _bucket;
    private readonly ShipperMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="Shipper"/> class.</summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="tenant">The tenant: the first segment of every uploaded key.</param>
    /// <param name="tenantDir">The tenant's TSDB directory, holding <c>&lt;ULID&gt;/</c> blocks and the state file.</param>
    /// <param name="metrics">The shipper metrics.</param>
    /// <param name="logger">Receives upload failures.</param>
    /// <param name="time">The clock that retention is measured on (G6).</param>
    public Shipper(IBucket bucket, string tenant, string tenantDir, ShipperMetrics metrics, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(tenantDir);
        _bucket = bucket;
        Tenant = tenant;
        TenantDir = tenantDir;
        _metrics = metrics;
        _logger = logger;
        _time = time;
    }

    /// <summary>Gets the tenant whose blocks this shipper uploads.</summary>
    public string Tenant { get; }

    /// <summary>Gets the tenant's local TSDB directory.</summary>
    public string TenantDir { get; }

    /// <summary>
    /// Uploads every complete local block not yet recorded as shipped, oldest ULID first, and records each one as
    /// soon as its <c>meta.json</c> is up. Entries of blocks no longer on disk are dropped from the record.
    /// </summary>
    /// <param name="cancellationToken">Stops shipping; a block cut short is re-uploaded next round.</param>
    /// <returns>The number of blocks uploaded in this round.</returns>
    /// <exception cref="IOException">The state file could not be written.</exception>
    public async Task<int> ShipAsync(CancellationToken cancellationToken = default)
    {
        _metrics.DirSyncs.Inc();
        var blocks = FindBlocks();
        var recorded = ReadState();
        var state = new ShipperState();
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var b in blocks.Where(b => recorded.Uploaded.Contains(b.Ulid)))
        {
            // An entry written before upload times were recorded gets this round's time: kept the longer, never less.
            state.MarkShipped(b.Ulid, recorded.ShippedAtMs.TryGetValue(b.Ulid, out long at) ? at : now);
        }

        if (!state.ToJson().AsSpan().SequenceEqual(recorded.ToJson()))
        {
            state.WriteTo(TenantDir);
        }

        int shipped = 0;
        bool failed = false;
        foreach (var block in blocks.Where(b => !state.Uploaded.Contains(b.Ulid)))
        {
            try
            {
                await UploadBlockAsync(block, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                failed = true;
                _metrics.UploadFailures.Inc();
                _logger.LogWarning(e, "shipping block {Block} of tenant {Tenant} failed; retrying next round", block.Ulid, Tenant);
                continue;
            }

            state.MarkShipped(block.Ulid, _time.GetUtcNow().ToUnixTimeMilliseconds());
            state.WriteTo(TenantDir);
            _metrics.Uploads.Inc();
            shipped++;
        }

        if (failed)
        {
            _metrics.DirSyncFailures.Inc();
        }

        return shipped;
    }

    /// <summary>The complete local blocks not recorded as shipped (what is not in the bucket yet), sorted by ULID.</summary>
    /// <returns>Their IDs.</returns>
    public IReadOnlyList<Ulid> Pending()
    {
        var uploaded = ReadState().Uploaded;
        return [.. FindBlocks().Select(b => b.Ulid).Where(u => !uploaded.Contains(u))];
    }

    /// <summary>Lists the complete blocks in <see cref="TenantDir"/>, sorted by ULID; unreadable metas are logged and skipped.</summary>
    /// <returns>The blocks.</returns>
    public IReadOnlyList<LocalBlock> FindBlocks()
    {
        var blocks = new List<LocalBlock>();
        if (!Directory.Exists(TenantDir))
        {
            return blocks;
        }

        foreach (string dir in Directory.EnumerateDirectories(TenantDir))
        {
            if (!Ulid.TryParse(Path.GetFileName(dir), out var ulid) || !File.Exists(Path.Combine(dir, BlockMeta.FileName)))
            {
                continue;
            }

            try
            {
                var meta = BlockMeta.ReadFrom(dir);
                if (meta.Ulid != ulid)
                {
                    throw new InvalidDataException($"meta.json names block {meta.Ulid}");
                }

                blocks.Add(new LocalBlock(dir, meta));
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                _logger.LogWarning(e, "skipping block directory {Dir} of tenant {Tenant}: unreadable meta.json", dir, Tenant);
            }
        }

        blocks.Sort((a, b) => a.Ulid.CompareTo(b.Ulid));
        return blocks;
    }

    private ShipperState ReadState()
    {
        try
        {
            return ShipperState.ReadFrom(TenantDir);
        }
        catch (InvalidDataException e)
        {
            // Re-shipping is idempotent, so a corrupt record only costs uploads.
            _logger.LogWarning(e, "ignoring corrupt {File} of tenant {Tenant}; its blocks will be shipped again", ShipperState.FileName, Tenant);
            return new ShipperState();
        }
    }

    // Chunk segments and index first, meta.json last (BlockTransfer): a reader that finds meta.json finds a whole block.
    private Task UploadBlockAsync(LocalBlock block, CancellationToken cancellationToken) =>
        BlockTransfer.UploadAsync(_bucket, Tenant, block.Ulid, block.Dir, cancellationToken);
}
