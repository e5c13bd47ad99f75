using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;
using MetricsCluster.ObjectStore;
using MetricsCluster.Storage.Shipping;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Storage.Tests;

/// <summary>A per-test temp dir with a tenant TSDB dir, a filesystem bucket dir and helpers to cut blocks (G18).</summary>
internal sealed class TestDirs : IDisposable
{
    public const string Tenant = "tenant-1";
    private static int s_seed;

    public TestDirs()
    {
        Root = Path.Combine(Path.GetTempPath(), "mc-storage-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(TenantDir);
        Directory.CreateDirectory(BucketDir);
    }

    public string Root { get; }

    public string TsdbDir => Path.Combine(Root, "tsdb");

    public string TenantDir => Path.Combine(TsdbDir, Tenant);

    public string BucketDir => Path.Combine(Root, "bucket");

    /// <summary>Writes a 2h block starting at <paramref name="minT"/> ms into the tenant dir.</summary>
    public BlockMeta CutBlock(long minT, long ulidMs = 0)
    {
        var random = new Random(Interlocked.Increment(ref s_seed));
        var ulid = Ulid.New(ulidMs == 0 ? minT + 7_200_000 : ulidMs, random);
        var samples = Enumerable.Range(0, 240).Select(i => (minT + (i * 30_000L), (double)i)).ToArray();
        return BlockWriter.Write(
            TenantDir,
            ulid,
            [ChunkedSeries.FromSamples(Labels.FromStrings("__name__", "up", "job", "a"), samples), ChunkedSeries.FromSamples(Labels.FromStrings("__name__", "up", "job", "b"), samples)],
            new BlockWriteOptions { MinTime = minT, MaxTime = minT + 7_200_000 });
    }

    public Shipper Shipper(IBucket bucket, TimeProvider? time = null, ShipperMetrics? metrics = null) =>
        new(bucket, Tenant, TenantDir, metrics ?? new ShipperMetrics(new MetricsRegistry()), NullLogger.Instance, time ?? new FixedClock(0));

    /// <summary>The objects the shipper must upload for a block: every file but tombstones, keyed as in the bucket.</summary>
    public Dictionary<string, byte[]> ExpectedObjects(Ulid ulid)
    {
        string dir = Path.Combine(TenantDir, ulid.ToString());
        return Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "tombstones")
            .ToDictionary(f => $"{Tenant}/{ulid}/{Path.GetRelativePath(dir, f).Replace('\\', '/')}", File.ReadAllBytes);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A settable clock.</summary>
internal sealed class FixedClock(long unixMs) : TimeProvider
{
    public long UnixMs { get; set; } = unixMs;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(UnixMs);
}

/// <summary>
/// Wraps a real bucket, records the order of uploads and fails every operation with a transient
/// <see cref="ObjectStoreException"/> while <see cref="FailuresLeft"/> is positive (each failure decrements it).
/// </summary>
internal sealed class RecordingBucket(IBucket inner) : IBucket
{
    public ConcurrentQueue<string> Uploads { get; } = new();

    public int FailuresLeft { get; set; }

    /// <summary>When set, only uploads whose key ends with this fail (others pass).</summary>
    public string? FailSuffix { get; set; }

    public string Name => inner.Name;

    public async Task UploadAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        MaybeFail(key);
        await inner.UploadAsync(key, content, cancellationToken);
        Uploads.Enqueue(key);
    }

    public Task<Stream> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

    public Task<Stream> GetRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default) => inner.GetRangeAsync(key, offset, length, cancellationToken);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public async IAsyncEnumerable<string> ListAsync(string prefix, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (string k in inner.ListAsync(prefix, recursive, cancellationToken))
        {
            yield return k;
        }
    }

    public Task<ObjectAttributes> AttributesAsync(string key, CancellationToken cancellationToken = default) => inner.AttributesAsync(key, cancellationToken);

    public void Dispose() => inner.Dispose();

    private void MaybeFail(string key)
    {
        if (FailuresLeft > 0 && (FailSuffix is null || key.EndsWith(FailSuffix, StringComparison.Ordinal)))
        {
            FailuresLeft--;
            throw new ObjectStoreException($"injected transient failure on {key}", isTransient: true, innerException: null);
        }
    }
}

internal static class BucketAssert
{
    public static async Task<Dictionary<string, byte[]>> ReadAllAsync(IBucket bucket, string prefix)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await foreach (string key in bucket.ListAsync(prefix, recursive: true))
        {
            using var s = await bucket.GetAsync(key);
            using var m = new MemoryStream();
            await s.CopyToAsync(m);
            result[key] = m.ToArray();
        }

        return result;
    }

    public static async Task ContainsExactlyAsync(IBucket bucket, Dictionary<string, byte[]> expected, string prefix = TestDirs.Tenant)
    {
        var actual = await ReadAllAsync(bucket, prefix);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (k, v) in expected)
        {
            Assert.True(v.AsSpan().SequenceEqual(actual[k]), $"{k} differs");
        }
    }
}
