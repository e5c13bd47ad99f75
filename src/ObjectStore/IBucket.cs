namespace MetricsCluster.ObjectStore;

/// <summary>
/// An object-storage bucket: the blocks, rules and alertmanager stores sit on it (Thanos objstore
/// <c>Bucket</c>, Mimir <c>pkg/storage/bucket</c>).
/// </summary>
/// <remarks>
/// <para>Keys are '/'-separated paths relative to the bucket root, for example
/// <c>tenant-1/01HZX.../chunks/000001</c>. A key is never empty, never starts or ends with '/', and has no
/// empty, <c>.</c> or <c>..</c> segments. Keys may hold spaces and any Unicode.</para>
/// <para>Objects are written whole: a reader sees either the previous object or the new one, never a
/// partial one. Uploading to an existing key replaces it. Deleting a missing key is not an error.</para>
/// <para>Reads of a missing key throw <see cref="ObjectNotFoundException"/>; backend failures throw
/// <see cref="ObjectStoreException"/>, whose <see cref="ObjectStoreException.IsTransient"/> tells retry
/// decorators whether trying again may help.</para>
/// <para>Implementations are thread-safe.</para>
/// </remarks>
public interface IBucket : IDisposable
{
    /// <summary>Gets the bucket's name, used as the <c>bucket</c> label of metrics.</summary>
    string Name { get; }

    /// <summary>Uploads <paramref name="content"/> (read from its current position to its end) as <paramref name="key"/>, replacing any existing object.</summary>
    /// <param name="key">The object key.</param>
    /// <param name="content">The content; not disposed by the bucket.</param>
    /// <param name="cancellationToken">Cancels the upload; a cancelled upload leaves no partial object.</param>
    /// <returns>A task that completes when the object is durable.</returns>
    Task UploadAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Opens the whole object for reading. The caller disposes the stream.</summary>
    /// <param name="key">The object key.</param>
    /// <param name="cancellationToken">Cancels opening the object.</param>
    /// <returns>A readable stream of the object's bytes.</returns>
    /// <exception cref="ObjectNotFoundException">The object does not exist.</exception>
    Task<Stream> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens <paramref name="length"/> bytes of the object starting at <paramref name="offset"/>. A negative
    /// <paramref name="length"/> reads to the end. A range past the end yields the bytes that exist (possibly none).
    /// </summary>
    /// <param name="key">The object key.</param>
    /// <param name="offset">The first byte to read; must not be negative.</param>
    /// <param name="length">The number of bytes to read, or -1 for "to the end".</param>
    /// <param name="cancellationToken">Cancels opening the object.</param>
    /// <returns>A readable stream of the requested bytes.</returns>
    /// <exception cref="ObjectNotFoundException">The object does not exist.</exception>
    Task<Stream> GetRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default);

    /// <summary>Tells whether an object exists at <paramref name="key"/>.</summary>
    /// <param name="key">The object key.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="true"/> if the object exists.</returns>
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes the object at <paramref name="key"/>; deleting a missing object succeeds.</summary>
    /// <param name="key">The object key.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>A task that completes when the object is gone.</returns>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the keys under the "directory" <paramref name="prefix"/> (empty for the root; a trailing '/' is
    /// optional). Entries are full keys. When <paramref name="recursive"/> is false, only the direct children
    /// are listed and sub-directories appear once, with a trailing '/' (Thanos objstore <c>Iter</c>);
    /// when true, every object below the prefix is listed and no directories are. The order is unspecified.
    /// </summary>
    /// <param name="prefix">The directory to list, e.g. <c>tenant-1/</c>.</param>
    /// <param name="recursive">Whether to descend into sub-directories.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The keys and (non-recursive only) directory names.</returns>
    IAsyncEnumerable<string> ListAsync(string prefix, bool recursive, CancellationToken cancellationToken = default);

    /// <summary>Reads the object's size and last-modified time.</summary>
    /// <param name="key">The object key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The object's attributes.</returns>
    /// <exception cref="ObjectNotFoundException">The object does not exist.</exception>
    Task<ObjectAttributes> AttributesAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>The attributes of a stored object.</summary>
/// <param name="Size">The object's size in bytes.</param>
/// <param name="LastModified">When the object was last written.</param>
public readonly record struct ObjectAttributes(long Size, DateTimeOffset LastModified);
