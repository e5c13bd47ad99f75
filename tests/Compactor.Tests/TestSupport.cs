using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using MetricsCluster.ObjectStore;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Compactor.Tests;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A filesystem bucket in a per-test temp dir, plus helpers that lay out blocks as the shipper does.</summary>
internal sealed class TestBucket : IDisposable
{
    private static int s_seed;

    public TestBucket()
    {
        Dir = Path.Combine(Path.GetTempPath(), $"mc-compactor-{Guid.NewGuid():N}");
        Bucket = new FilesystemBucket(Dir);
    }

    public string Dir { get; }

    public FilesystemBucket Bucket { get; }

    /// <summary>Uploads a complete block: index and chunks first, meta.json last (as the shipper does).</summary>
    public static async Task<Ulid> PutBlockAsync(IBucket bucket, string tenant, long minTime, long maxTime)
    {
        var id = Ulid.New(minTime, new Random(Interlocked.Increment(ref s_seed)));
        await PutAsync(bucket, $"{tenant}/{id}/index", [1, 2, 3]);
        await PutAsync(bucket, $"{tenant}/{id}/chunks/000001", [4, 5, 6]);
        var meta = new BlockMeta { Ulid = id, MinTime = minTime, MaxTime = maxTime, Compaction = new BlockCompaction { Level = 1 } };
        await PutAsync(bucket, $"{tenant}/{id}/{BlockMeta.FileName}", meta.ToJson());
        return id;
    }

    public Task<Ulid> PutBlockAsync(string tenant, long minTime, long maxTime) => PutBlockAsync(Bucket, tenant, minTime, maxTime);

    public static async Task PutAsync(IBucket bucket, string key, byte[] content)
    {
        using var stream = new MemoryStream(content);
        await bucket.UploadAsync(key, stream);
    }

    public static async Task<List<string>> KeysAsync(IBucket bucket, string prefix)
    {
        var keys = new List<string>();
        await foreach (string k in bucket.ListAsync(prefix, recursive: true))
        {
            keys.Add(k);
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    public static async Task<BlockDeletionMark> ReadMarkAsync(IBucket bucket, string key, Ulid id)
    {
        await using var s = await bucket.GetAsync(key);
        using var ms = new MemoryStream();
        await s.CopyToAsync(ms);
        return BlockDeletionMark.ParseMarker(ms.ToArray(), id);
    }

    public void Dispose()
    {
        Bucket.Dispose();
        if (Directory.Exists(Dir))
        {
            Directory.Delete(Dir, recursive: true);
        }
    }
}

/// <summary>Builds a cleaner over real objects with a manual clock and its own registry.</summary>
internal sealed class CleanerFixture
{
    public CleanerFixture(IBucket bucket, DateTimeOffset now, Limits? defaults = null, IReadOnlyDictionary<string, Limits>? perTenant = null, TimeSpan? deletionDelay = null)
    {
        Clock = new ManualClock(now);
        Registry = new MetricsRegistry();
        Metrics = new BlocksCleanerMetrics(Registry);
        Cleaner = new BlocksCleaner(
            bucket,
            new StaticOverrides(defaults ?? new Limits(), perTenant),
            new CompactorOptions { DeletionDelay = deletionDelay ?? TimeSpan.FromHours(12) },
            Metrics,
            Clock,
            NullLogger<BlocksCleaner>.Instance);
    }

    public ManualClock Clock { get; }

    public MetricsRegistry Registry { get; }

    public BlocksCleanerMetrics Metrics { get; }

    public BlocksCleaner Cleaner { get; }

    public async Task RunAsync() => Assert.Empty(await Cleaner.RunOnceAsync());
}

/// <summary>
/// Wraps a bucket: records every delete in order, and fails every operation under <see cref="FailPrefix"/> with a
/// transient <see cref="ObjectStoreException"/>.
/// </summary>
internal sealed class RecordingBucket(IBucket inner) : IBucket
{
    public ConcurrentQueue<string> Deletes { get; } = new();

    public string? FailPrefix { get; set; }

    public string Name => inner.Name;

    public Task UploadAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        Check(key);
        return inner.UploadAsync(key, content, cancellationToken);
    }

    public Task<Stream> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        Check(key);
        return inner.GetAsync(key, cancellationToken);
    }

    public Task<Stream> GetRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default)
    {
        Check(key);
        return inner.GetRangeAsync(key, offset, length, cancellationToken);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        Check(key);
        return inner.ExistsAsync(key, cancellationToken);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        Check(key);
        Deletes.Enqueue(key);
        return inner.DeleteAsync(key, cancellationToken);
    }

    /// <summary>Awaited before every listing, with its prefix (a test holds a listing here).</summary>
    public Func<string, Task>? BeforeList { get; set; }

    /// <summary>Every listing's prefix, in order.</summary>
    public ConcurrentQueue<string> Lists { get; } = new();

    public async IAsyncEnumerable<string> ListAsync(string prefix, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Check(prefix);
        Lists.Enqueue(prefix);
        if (BeforeList is { } before)
        {
            await before(prefix);
        }

        await foreach (string k in inner.ListAsync(prefix, recursive, cancellationToken))
        {
            yield return k;
        }
    }

    public Task<ObjectAttributes> AttributesAsync(string key, CancellationToken cancellationToken = default)
    {
        Check(key);
        return inner.AttributesAsync(key, cancellationToken);
    }

    public void Dispose() => inner.Dispose();

    private void Check(string key)
    {
        if (FailPrefix is { } p && key.StartsWith(p, StringComparison.Ordinal))
        {
            throw new ObjectStoreException($"injected failure for {key}", isTransient: true, innerException: null);
        }
    }
}
