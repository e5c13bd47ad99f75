using System.Collections.Concurrent;
using MetricsCluster.ObjectStore;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>
/// Wraps a bucket and records every read: operation, key, requested range and the bytes actually returned, so
/// tests can prove what a sync or a query downloaded. Reads are buffered whole (the test objects are small).
/// </summary>
internal sealed class CountingBucket(IBucket inner) : IBucket
{
    private readonly ConcurrentQueue<Read> _reads = new();

    public string Name => inner.Name;

    public IReadOnlyList<Read> Reads => [.. _reads];

    public long BytesRead => _reads.Sum(r => r.Bytes);

    public void Reset() => _reads.Clear();

    public Task UploadAsync(string key, Stream content, CancellationToken cancellationToken = default) => inner.UploadAsync(key, content, cancellationToken);

    public async Task<Stream> GetAsync(string key, CancellationToken cancellationToken = default) =>
        await BufferAsync("get", key, 0, -1, await inner.GetAsync(key, cancellationToken));

    public async Task<Stream> GetRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default) =>
        await BufferAsync("get_range", key, offset, length, await inner.GetRangeAsync(key, offset, length, cancellationToken));

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public IAsyncEnumerable<string> ListAsync(string prefix, bool recursive, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, recursive, cancellationToken);

    public Task<ObjectAttributes> AttributesAsync(string key, CancellationToken cancellationToken = default)
    {
        _reads.Enqueue(new Read("attributes", key, 0, 0, 0));
        return inner.AttributesAsync(key, cancellationToken);
    }

    public void Dispose() => inner.Dispose();

    private async Task<Stream> BufferAsync(string op, string key, long offset, long length, Stream source)
    {
        await using (source)
        {
            var copy = new MemoryStream();
            await source.CopyToAsync(copy);
            copy.Position = 0;
            _reads.Enqueue(new Read(op, key, offset, length, copy.Length));
            return copy;
        }
    }

    /// <summary>One read: <paramref name="Length"/> is what was asked (-1 = to the end), <paramref name="Bytes"/> what came back.</summary>
    internal sealed record Read(string Op, string Key, long Offset, long Length, long Bytes);
}

/// <summary>A clock the test moves by hand (G6).</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
