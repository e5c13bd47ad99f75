using MetricsCluster.ObjectStore;

namespace MetricsCluster.Storage;

/// <summary>Reads a tenant's <c>bucket-index.json.gz</c> (Mimir <c>bucketindex.ReadIndex</c>).</summary>
public sealed class BucketIndexReader
{
    private readonly IBucket _bucket;

    /// <summary>Initializes a new instance of the <see cref="BucketIndexReader"/> class.</summary>
    /// <param name="bucket">The blocks bucket.</param>
    public BucketIndexReader(IBucket bucket) => _bucket = bucket;

    /// <summary>Reads <paramref name="tenant"/>'s index.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The index, or <see langword="null"/> when the tenant has none yet.</returns>
    /// <exception cref="InvalidDataException">The stored index is corrupt (not gzip, or invalid JSON).</exception>
    public async Task<BucketIndex?> ReadAsync(string tenant, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        try
        {
            var stream = await _bucket.GetAsync(BucketIndex.Key(tenant), cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                return BucketIndex.ParseGzip(buffer.ToArray());
            }
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }
}
