using MetricsCluster.ObjectStore;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Compactor;

/// <summary>
/// Soft- and hard-deletes blocks in the bucket, in the order Thanos' <c>block.MarkForDeletion</c>/<c>block.Delete</c>
/// and Mimir's global-markers bucket use, so that an interrupted run always leaves a state the next run recognises
/// and finishes (docs/compactor.md).
/// </summary>
internal static class BlockMarker
{
    /// <summary>
    /// Marks <paramref name="id"/> for deletion: the block-dir marker first, then the global copy (which the bucket
    /// index is built from). A block already marked keeps its original deletion time, and a missing global copy (a
    /// run cut short between the two uploads) is written again, so re-running is harmless.
    /// </summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The block.</param>
    /// <param name="now">The deletion time to record for a new mark.</param>
    /// <param name="cancellationToken">Cancels the reads and uploads.</param>
    /// <returns>The mark in force, and whether this call created it.</returns>
    public static async Task<(BlockDeletionMark Mark, bool Created)> MarkForDeletionAsync(
        IBucket bucket, string tenant, Ulid id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var existing = await TryReadAsync(bucket, BlockDeletionMark.BlockKey(tenant, id), id, cancellationToken).ConfigureAwait(false);
        var mark = existing ?? new BlockDeletionMark(id, now.ToUnixTimeSeconds());
        byte[] json = mark.ToMarkerJson();
        if (existing is null)
        {
            await UploadAsync(bucket, BlockDeletionMark.BlockKey(tenant, id), json, cancellationToken).ConfigureAwait(false);
        }

        await UploadAsync(bucket, BlockDeletionMark.GlobalKey(tenant, id), json, cancellationToken).ConfigureAwait(false);
        return (mark, existing is null);
    }

    /// <summary>
    /// Marks <paramref name="mark"/>'s block no-compact: the block-dir marker, then the global copy the compactor lists.
    /// Re-marking replaces both (the newer details win); the block stays queryable.
    /// </summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="mark">The mark.</param>
    /// <param name="cancellationToken">Cancels the uploads.</param>
    /// <returns>A task that completes when both copies are written.</returns>
    public static async Task MarkNoCompactAsync(IBucket bucket, string tenant, NoCompactMark mark, CancellationToken cancellationToken)
    {
        byte[] json = mark.ToJson();
        await UploadAsync(bucket, NoCompactMark.BlockKey(tenant, mark.Id), json, cancellationToken).ConfigureAwait(false);
        await UploadAsync(bucket, NoCompactMark.GlobalKey(tenant, mark.Id), json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The blocks of <paramref name="tenant"/> with a global no-compact marker.</summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The marked block IDs; marker names that are not a ULID are ignored.</returns>
    public static async Task<HashSet<Ulid>> ListNoCompactAsync(IBucket bucket, string tenant, CancellationToken cancellationToken)
    {
        var ids = new HashSet<Ulid>();
        string prefix = $"{tenant}/{BlockDeletionMark.MarkersDirectory}/";
        await foreach (string key in bucket.ListAsync(prefix, recursive: false, cancellationToken).ConfigureAwait(false))
        {
            string name = key[prefix.Length..];
            if (name.EndsWith(NoCompactMark.GlobalSuffix, StringComparison.Ordinal) && Ulid.TryParse(name.AsSpan(0, name.Length - NoCompactMark.GlobalSuffix.Length), out var id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>Reads the block-dir deletion mark of <paramref name="id"/>.</summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The block.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The mark, or <see langword="null"/> when the block is not marked.</returns>
    /// <exception cref="InvalidDataException">The marker is corrupt.</exception>
    public static Task<BlockDeletionMark?> ReadBlockMarkAsync(IBucket bucket, string tenant, Ulid id, CancellationToken cancellationToken) =>
        TryReadAsync(bucket, BlockDeletionMark.BlockKey(tenant, id), id, cancellationToken);

    /// <summary>
    /// Hard-deletes <paramref name="id"/>: <c>meta.json</c> first, so a half-deleted block is partial and never read
    /// as complete; then every other object except the deletion mark; then the block-dir deletion mark, so the
    /// partial block still says it is being deleted; and the global markers last, so the bucket index keeps listing
    /// the mark until nothing of the block is left.
    /// </summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The block.</param>
    /// <param name="cancellationToken">Cancels the deletes.</param>
    /// <returns>A task that completes when the block is gone.</returns>
    public static async Task DeleteAsync(IBucket bucket, string tenant, Ulid id, CancellationToken cancellationToken)
    {
        string dir = $"{tenant}/{id}/";
        string markKey = BlockDeletionMark.BlockKey(tenant, id);
        await bucket.DeleteAsync(dir + BlockMeta.FileName, cancellationToken).ConfigureAwait(false);
        var rest = new List<string>();
        await foreach (string key in bucket.ListAsync(dir, recursive: true, cancellationToken).ConfigureAwait(false))
        {
            if (key != markKey)
            {
                rest.Add(key);
            }
        }

        foreach (string key in rest)
        {
            await bucket.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }

        await bucket.DeleteAsync(markKey, cancellationToken).ConfigureAwait(false);
        await bucket.DeleteAsync($"{tenant}/{BlockDeletionMark.MarkersDirectory}/{id}{NoCompactMark.GlobalSuffix}", cancellationToken).ConfigureAwait(false);
        await bucket.DeleteAsync(BlockDeletionMark.GlobalKey(tenant, id), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<BlockDeletionMark?> TryReadAsync(IBucket bucket, string key, Ulid id, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await bucket.GetAsync(key, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                return BlockDeletionMark.ParseMarker(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), id);
            }
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    private static async Task UploadAsync(IBucket bucket, string key, byte[] json, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(json);
        await bucket.UploadAsync(key, content, cancellationToken).ConfigureAwait(false);
    }
}
