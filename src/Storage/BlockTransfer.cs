using MetricsCluster.ObjectStore;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Storage;

/// <summary>
/// Copies whole blocks between a local directory and <c>&lt;tenant&gt;/&lt;ULID&gt;/</c> in the bucket: the ingester's
/// shipper uploads with it, the compactor downloads its sources and uploads its results with it.
/// </summary>
public static class BlockTransfer
{
    /// <summary>
    /// Uploads <paramref name="blockDir"/> as <c>&lt;tenant&gt;/&lt;ulid&gt;/</c>: chunk segments in name order, the index,
    /// then <c>meta.json</c> last, so a reader that finds <c>meta.json</c> finds a whole block. Uploads replace whole
    /// objects, so repeating a cut-short upload is safe. Tombstones are not uploaded (as Thanos).
    /// </summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="tenant">The tenant: the first segment of every key.</param>
    /// <param name="ulid">The block's ID (its directory name in the bucket).</param>
    /// <param name="blockDir">The complete local block.</param>
    /// <param name="cancellationToken">Stops between and inside uploads.</param>
    /// <returns>A task that completes once meta.json is up.</returns>
    public static async Task UploadAsync(IBucket bucket, string tenant, Ulid ulid, string blockDir, CancellationToken cancellationToken)
    {
        string prefix = $"{tenant}/{ulid}/";
        foreach (string rel in FilesBeforeMeta(blockDir))
        {
            await UploadFileAsync(bucket, Path.Combine(blockDir, rel), prefix + rel, cancellationToken).ConfigureAwait(false);
        }

        await UploadFileAsync(bucket, Path.Combine(blockDir, BlockMeta.FileName), prefix + BlockMeta.FileName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Downloads <c>&lt;tenant&gt;/&lt;ulid&gt;/</c> into <paramref name="blockDir"/> (created; replaced when present): every
    /// object under the prefix, meta.json last, and an empty tombstones file (never uploaded) so local readers accept it.
    /// </summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="ulid">The block.</param>
    /// <param name="blockDir">The local directory that receives the block.</param>
    /// <param name="cancellationToken">Stops between and inside downloads.</param>
    /// <returns>The block's meta.</returns>
    /// <exception cref="InvalidDataException">The block has no meta.json or no index (a partial block).</exception>
    public static async Task<BlockMeta> DownloadAsync(IBucket bucket, string tenant, Ulid ulid, string blockDir, CancellationToken cancellationToken)
    {
        if (Directory.Exists(blockDir))
        {
            Directory.Delete(blockDir, recursive: true);
        }

        Directory.CreateDirectory(Path.Combine(blockDir, BlockWriter.ChunksDirName));
        string prefix = $"{tenant}/{ulid}/";
        var keys = new List<string>();
        await foreach (string key in bucket.ListAsync(prefix, recursive: true, cancellationToken).ConfigureAwait(false))
        {
            keys.Add(key);
        }

        string metaKey = prefix + BlockMeta.FileName;
        if (!keys.Contains(metaKey) || !keys.Contains(prefix + BlockWriter.IndexFileName))
        {
            throw new InvalidDataException($"block {tenant}/{ulid} in the bucket has no {(keys.Contains(metaKey) ? BlockWriter.IndexFileName : BlockMeta.FileName)}: it is partial");
        }

        foreach (string key in keys.Where(k => k != metaKey).Append(metaKey))
        {
            string rel = key[prefix.Length..];
            if (!IsBlockFile(rel))
            {
                // Marks (deletion, no-compact) and anything unknown stay in the bucket: they are not block data.
                continue;
            }

            string path = Path.Combine(blockDir, rel.Replace('/', Path.DirectorySeparatorChar));
            var source = await bucket.GetAsync(key, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (file.ConfigureAwait(false))
                {
                    await source.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        Tombstones.WriteEmpty(blockDir);
        return BlockMeta.ReadFrom(blockDir);
    }

    /// <summary>The files of a block uploaded before meta.json: chunk segments in name order, then the index.</summary>
    private static IEnumerable<string> FilesBeforeMeta(string blockDir)
    {
        string chunks = Path.Combine(blockDir, BlockWriter.ChunksDirName);
        var segments = Directory.Exists(chunks)
            ? Directory.EnumerateFiles(chunks).Select(Path.GetFileName).Order(StringComparer.Ordinal).Select(n => $"{BlockWriter.ChunksDirName}/{n}")
            : [];
        return segments.Append(BlockWriter.IndexFileName);
    }

    // Only names a block consists of: a key such as "chunks/../../x" from a hostile bucket never leaves blockDir.
    private static bool IsBlockFile(string rel) =>
        rel is BlockWriter.IndexFileName or BlockMeta.FileName
        || (rel.StartsWith(BlockWriter.ChunksDirName + "/", StringComparison.Ordinal)
            && rel.Length > BlockWriter.ChunksDirName.Length + 1
            && rel[(BlockWriter.ChunksDirName.Length + 1)..].All(char.IsAsciiDigit));

    private static async Task UploadFileAsync(IBucket bucket, string path, string key, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            await bucket.UploadAsync(key, file, cancellationToken).ConfigureAwait(false);
        }
    }
}
