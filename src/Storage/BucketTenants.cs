using MetricsCluster.Core;
using MetricsCluster.ObjectStore;

namespace MetricsCluster.Storage;

/// <summary>The tenants of a blocks bucket: the directories at its root (<c>&lt;tenant&gt;/&lt;ULID&gt;/…</c>).</summary>
public static class BucketTenants
{
    /// <summary>
    /// Every directory at the bucket root named by a valid tenant id, sorted. Every valid id is a tenant (".a" and
    /// "x.tmp" included); anything else (the filesystem bucket's upload directory) no write path can create.
    /// </summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    /// <returns>The tenants, sorted ordinally.</returns>
    public static async Task<List<string>> ListAsync(IBucket bucket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var tenants = new List<string>();
        await foreach (string entry in bucket.ListAsync(string.Empty, recursive: false, cancellationToken).ConfigureAwait(false))
        {
            if (entry.EndsWith('/') && TenantId.Validate(entry[..^1]) is null)
            {
                tenants.Add(entry[..^1]);
            }
        }

        tenants.Sort(StringComparer.Ordinal);
        return tenants;
    }
}
