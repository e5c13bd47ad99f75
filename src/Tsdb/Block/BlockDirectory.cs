using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// The steps every block producer shares (<see cref="BlockWriter"/>, <see cref="Compaction.BlockMerger"/>):
/// create <c>&lt;ULID&gt;.tmp-for-creation</c>, fill it, fsync, rename; and finish a filled directory with
/// <c>tombstones</c>, the Thanos file list and <c>meta.json</c>. Written once here (G "write a primitive once").
/// Public because the compactor's downsampler writes blocks of its own the same way.
/// </summary>
public static class BlockDirectory
{
    /// <summary>
    /// Runs <paramref name="writeContents"/> on a fresh <c>&lt;ULID&gt;.tmp-for-creation</c> directory, then fsyncs and
    /// renames it to <c>&lt;parentDir&gt;/&lt;ULID&gt;</c>. The temporary directory is removed on any failure,
    /// cancellation included, so a crash or an error leaves either a complete block or nothing but a
    /// temporary directory Prometheus deletes at start-up.
    /// </summary>
    /// <exception cref="IOException">The block directory already exists, or a write failed.</exception>
    public static BlockMeta CreateAtomically(string parentDir, Ulid ulid, Func<string, BlockMeta> writeContents)
    {
        string tmp = PrepareTmp(parentDir, ulid);
        try
        {
            var meta = writeContents(tmp);
            Commit(parentDir, ulid);
            return meta;
        }
        catch
        {
            Abort(parentDir, ulid);
            throw;
        }
    }

    /// <summary>Creates a fresh, empty <c>&lt;ULID&gt;.tmp-for-creation</c> under <paramref name="parentDir"/> and returns it.</summary>
    /// <exception cref="IOException">The block directory already exists.</exception>
    public static string PrepareTmp(string parentDir, Ulid ulid)
    {
        string final = Path.Combine(parentDir, ulid.ToString());
        if (Directory.Exists(final))
        {
            throw new IOException($"block directory {final} already exists");
        }

        string tmp = final + BlockWriter.TmpSuffix;
        if (Directory.Exists(tmp))
        {
            Directory.Delete(tmp, recursive: true);
        }

        Directory.CreateDirectory(tmp);
        return tmp;
    }

    /// <summary>
    /// Makes the filled temporary directory of <paramref name="ulid"/> the block: as Prometheus, fsyncs the new
    /// directories' entries, renames, then fsyncs the parent so the rename is durable.
    /// </summary>
    public static void Commit(string parentDir, Ulid ulid)
    {
        string final = Path.Combine(parentDir, ulid.ToString());
        string tmp = final + BlockWriter.TmpSuffix;
        WalFileSystem.FsyncDirectory(Path.Combine(tmp, BlockWriter.ChunksDirName));
        WalFileSystem.FsyncDirectory(tmp);
        Directory.Move(tmp, final);
        WalFileSystem.FsyncDirectory(parentDir);
    }

    /// <summary>Removes the temporary directory of <paramref name="ulid"/> if it exists (a failed or empty write).</summary>
    public static void Abort(string parentDir, Ulid ulid)
    {
        string tmp = Path.Combine(parentDir, ulid.ToString()) + BlockWriter.TmpSuffix;
        if (Directory.Exists(tmp))
        {
            Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>
    /// Writes the empty <c>tombstones</c>, fills <see cref="ThanosMeta.Files"/> (when there is a Thanos section)
    /// and writes <c>meta.json</c> into <paramref name="dir"/>, whose index and chunk segments are complete.
    /// </summary>
    public static void Finish(string dir, BlockMeta meta, IReadOnlyList<BlockFile> chunkFiles)
    {
        Tombstones.WriteEmpty(dir);
        if (meta.Thanos is { } thanos)
        {
            // Thanos' GatherFileStats order: chunk segments, index, then meta.json without a size.
            thanos.Files.Clear();
            thanos.Files.AddRange(chunkFiles);
            thanos.Files.Add(new BlockFile(BlockWriter.IndexFileName, new FileInfo(Path.Combine(dir, BlockWriter.IndexFileName)).Length));
            thanos.Files.Add(new BlockFile(BlockMeta.FileName, 0));
        }

        meta.WriteTo(dir);
    }
}
