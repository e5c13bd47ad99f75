using System.Runtime.CompilerServices;
using MetricsCluster.Core;

namespace MetricsCluster.ObjectStore;

/// <summary>
/// The embedded default bucket: objects are files under a root directory (e.g. <c>&lt;data.dir&gt;/bucket</c>),
/// the key's '/'-separated segments being directories (Thanos objstore <c>filesystem</c> provider).
/// </summary>
/// <remarks>
/// Uploads write a temporary file under <c>&lt;root&gt;/.mc~tmp/</c>, fsync it and rename it over the
/// destination, so readers never see a partial object. The rename is atomic because both paths are on
/// the same filesystem; the directory entry itself is not fsynced, so a crash right after an upload may lose
/// it (the object is then absent, never partial). Because files and directories share one namespace, a key
/// cannot be both an object and a "directory" (<c>a/b</c> and <c>a/b/c</c>). The first segment
/// <c>.mc~tmp</c> is reserved; '~' is not allowed in tenant ids, so no tenant's keys can fall into it (the
/// earlier <c>.mc-tmp</c> was a valid tenant id). Every path goes through <see cref="SafePath"/>, so no key leaves the root.
/// </remarks>
public sealed class FilesystemBucket : IBucket
{
    /// <summary>
    /// The reserved directory under the root that holds uploads in progress; its '~' cannot appear in a tenant id
    /// (<see cref="TenantId.Validate"/>), so it never collides with a tenant's directory.
    /// </summary>
    public const string TempDirectoryName = ".mc~tmp";

    private const int BufferSize = 81920;
    private readonly string _root;
    private readonly string _tmp;

    /// <summary>Initializes a new instance of the <see cref="FilesystemBucket"/> class, creating <paramref name="rootDirectory"/> if needed.</summary>
    /// <param name="rootDirectory">The root directory.</param>
    /// <param name="name">The bucket name for metrics and messages; defaults to the root directory.</param>
    public FilesystemBucket(string rootDirectory, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootDirectory));
        _tmp = Path.Combine(_root, TempDirectoryName);
        Directory.CreateDirectory(_tmp);
        Name = name ?? _root;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the absolute root directory.</summary>
    public string RootDirectory => _root;

    /// <inheritdoc />
    public async Task UploadAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        string path = PathOf(key);
        string tmp = Path.Combine(_tmp, Guid.NewGuid().ToString("N"));
        try
        {
            var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                await content.CopyToAsync(stream, BufferSize, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            MoveIntoPlace(tmp, path);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }

    /// <inheritdoc />
    public Task<Stream> GetAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult<Stream>(Open(key));

    /// <inheritdoc />
    public Task<Stream> GetRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var stream = Open(key);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        return Task.FromResult<Stream>(length < 0 ? stream : new RangeStream(stream, length));
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(PathOf(key)));

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        string path = PathOf(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // A missing parent means a missing object: deleting it succeeds.
        }

        RemoveEmptyParents(Path.GetDirectoryName(path)!);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync(string prefix, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string dirKey = ObjectKey.NormalizeDirectory(prefix);
        string dir = dirKey.Length == 0 ? _root : SafePath.Combine(_root, dirKey[..^1]);
        if (!Directory.Exists(dir))
        {
            yield break;
        }

        var entries = recursive ? ListRecursive(dir) : ListChildren(dir, dirKey);
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<ObjectAttributes> AttributesAsync(string key, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(PathOf(key));
        if (!info.Exists)
        {
            throw ObjectNotFoundException.For(Name, key);
        }

        return Task.FromResult(new ObjectAttributes(info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero)));
    }

    /// <summary>Does nothing: the bucket holds no handles between calls.</summary>
    public void Dispose()
    {
    }

    private FileStream Open(string key)
    {
        try
        {
            // FileShare.Delete lets uploads rename over, and deletes remove, an object that is being read.
            return new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException && !File.Exists(PathOf(key)))
        {
            throw ObjectNotFoundException.For(Name, key, e);
        }
    }

    private string PathOf(string key)
    {
        ObjectKey.Validate(key);
        if (key == TempDirectoryName || key.StartsWith(TempDirectoryName + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid object key '{key}': '{TempDirectoryName}/' is reserved by the filesystem bucket", nameof(key));
        }

        // Validate() already rejects '..'; SafePath re-checks the result so no key can ever leave the root.
        return SafePath.Combine(_root, key);
    }

    private void MoveIntoPlace(string tmp, string path)
    {
        // A concurrent delete may remove the freshly created parent as "empty" before the rename; a few
        // tries re-create it. Three is plenty: each loss needs a delete racing exactly in between.
        for (int attempt = 0; ; attempt++)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                File.Move(tmp, path, overwrite: true);
                return;
            }
            catch (DirectoryNotFoundException) when (attempt < 3)
            {
            }
        }
    }

    private void RemoveEmptyParents(string dir)
    {
        while (dir.Length > _root.Length && dir.StartsWith(_root, StringComparison.Ordinal))
        {
            try
            {
                Directory.Delete(dir, recursive: false);
            }
            catch (DirectoryNotFoundException)
            {
            }
            catch (IOException)
            {
                return; // Not empty (or in use): stop climbing.
            }

            dir = Path.GetDirectoryName(dir)!;
        }
    }

    private List<string> ListRecursive(string dir)
    {
        var keys = new List<string>();
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            string key = ToKey(file);
            if (!key.StartsWith(TempDirectoryName + "/", StringComparison.Ordinal))
            {
                keys.Add(key);
            }
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    private List<string> ListChildren(string dir, string dirKey)
    {
        var keys = new List<string>();
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            if (dirKey.Length == 0 && entry.Name == TempDirectoryName)
            {
                continue;
            }

            if (entry is DirectoryInfo d)
            {
                if (HoldsAnObject(d))
                {
                    keys.Add(dirKey + entry.Name + "/");
                }
            }
            else
            {
                keys.Add(dirKey + entry.Name);
            }
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>
    /// Whether any file lies below <paramref name="dir"/>. A directory holding none is no prefix, as in S3 and Thanos'
    /// filesystem <c>Iter</c>: an upload killed between creating an object's parent directories and renaming the
    /// object in leaves one (a block dir with an empty <c>chunks/</c>), and listed it would be a partial block
    /// forever, because the cleaner finds no object to age, mark or delete in it.
    /// </summary>
    private static bool HoldsAnObject(DirectoryInfo dir)
    {
        try
        {
            return dir.EnumerateFiles("*", SearchOption.AllDirectories).Any();
        }
        catch (DirectoryNotFoundException)
        {
            return false; // Removed while listing: the last object under it was deleted.
        }
    }

    private string ToKey(string fullPath) =>
        Path.GetRelativePath(_root, fullPath).Replace(Path.DirectorySeparatorChar, '/');
}
