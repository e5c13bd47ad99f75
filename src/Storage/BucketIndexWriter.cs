using System.Text.Json;
using MetricsCluster.ObjectStore;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Storage;

/// <summary>
/// Builds a tenant's <see cref="BucketIndex"/> by listing the bucket, and stores it as
/// <c>&lt;tenant&gt;/bucket-index.json.gz</c> (Mimir <c>bucketindex.Updater</c> + <c>WriteIndex</c>; Mimir's
/// compactor runs it every cleanup interval). A block is complete when its <c>meta.json</c> exists (the shipper
/// uploads it last); block dirs without one are partial and left out, as are metas that fail to parse (logged).
/// Deletion marks come from the global copies under <c>&lt;tenant&gt;/markers/</c>.
/// </summary>
public sealed class BucketIndexWriter
{
    private const string MarkerSuffix = "-deletion-mark.json";

    private readonly IBucket _bucket;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="BucketIndexWriter"/> class.</summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="time">The clock of <see cref="BucketIndex.UpdatedAt"/> (G6).</param>
    /// <param name="logger">Receives skipped, unreadable metas and marks.</param>
    public BucketIndexWriter(IBucket bucket, TimeProvider time, ILogger logger)
    {
        _bucket = bucket;
        _time = time;
        _logger = logger;
    }

    /// <summary>Builds <paramref name="tenant"/>'s index from the bucket and uploads it.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the listing, reads and upload.</param>
    /// <returns>The index as written.</returns>
    public async Task<BucketIndex> WriteAsync(string tenant, CancellationToken cancellationToken = default)
    {
        var index = await BuildAsync(tenant, cancellationToken).ConfigureAwait(false);
        using var content = new MemoryStream(index.ToGzip());
        await _bucket.UploadAsync(BucketIndex.Key(tenant), content, cancellationToken).ConfigureAwait(false);
        return index;
    }

    /// <summary>Builds <paramref name="tenant"/>'s index from the bucket without storing it.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the listing and reads.</param>
    /// <returns>The index, blocks and marks sorted by block ID.</returns>
    public async Task<BucketIndex> BuildAsync(string tenant, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        var index = new BucketIndex { UpdatedAt = _time.GetUtcNow().ToUnixTimeSeconds() };
        await foreach (string entry in _bucket.ListAsync(tenant + "/", recursive: false, cancellationToken).ConfigureAwait(false))
        {
            if (entry.EndsWith('/') && Ulid.TryParse(LastSegment(entry), out var id)
                && await ReadBlockAsync(tenant, id, cancellationToken).ConfigureAwait(false) is { } block)
            {
                index.Blocks.Add(block);
            }
        }

        await foreach (string entry in _bucket.ListAsync($"{tenant}/markers/", recursive: false, cancellationToken).ConfigureAwait(false))
        {
            string name = LastSegment(entry);
            if (name.EndsWith(MarkerSuffix, StringComparison.Ordinal) && Ulid.TryParse(name.AsSpan(0, name.Length - MarkerSuffix.Length), out var id)
                && await ReadMarkAsync(entry, id, cancellationToken).ConfigureAwait(false) is { } mark)
            {
                index.BlockDeletionMarks.Add(mark);
            }
        }

        index.Blocks.Sort((a, b) => a.Id.CompareTo(b.Id));
        index.BlockDeletionMarks.Sort((a, b) => a.Id.CompareTo(b.Id));
        return index;
    }

    private async Task<BucketIndexBlock?> ReadBlockAsync(string tenant, Ulid id, CancellationToken cancellationToken)
    {
        string key = $"{tenant}/{id}/{BlockMeta.FileName}";
        try
        {
            byte[] json = await ReadAllAsync(key, cancellationToken).ConfigureAwait(false);
            var attributes = await _bucket.AttributesAsync(key, cancellationToken).ConfigureAwait(false);
            var meta = BlockMeta.Parse(json);
            if (meta.Ulid != id)
            {
                throw new InvalidDataException($"{key} names block {meta.Ulid}");
            }

            return new BucketIndexBlock(id, meta.MinTime, meta.MaxTime, attributes.LastModified.ToUnixTimeSeconds(), meta.Thanos?.Source ?? string.Empty, meta.Compaction.Level, meta.Thanos?.DownsampleResolution ?? 0);
        }
        catch (ObjectNotFoundException)
        {
            // A partial block: its upload is in progress or was cut short.
            return null;
        }
        catch (InvalidDataException e)
        {
            _logger.LogWarning(e, "bucket index of tenant {Tenant}: skipping block {Block} with a corrupt meta.json", tenant, id);
            return null;
        }
    }

    private async Task<BlockDeletionMark?> ReadMarkAsync(string key, Ulid id, CancellationToken cancellationToken)
    {
        try
        {
            byte[] json = await ReadAllAsync(key, cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(json);
            return new BlockDeletionMark(id, doc.RootElement.GetProperty("deletion_time").GetInt64());
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            _logger.LogWarning(e, "bucket index: skipping corrupt deletion mark {Key}", key);
            return null;
        }
    }

    private async Task<byte[]> ReadAllAsync(string key, CancellationToken cancellationToken)
    {
        var stream = await _bucket.GetAsync(key, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    private static string LastSegment(string key)
    {
        string trimmed = key.TrimEnd('/');
        return trimmed[(trimmed.LastIndexOf('/') + 1)..];
    }
}
