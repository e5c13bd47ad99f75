using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Core.Storage;
using MetricsCluster.ObjectStore;
using MetricsCluster.Storage.Shipping;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging.Abstractions;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>
/// A per-test temp dir holding an ingester-like tenant dir whose blocks are shipped into a
/// <see cref="FilesystemBucket"/>, and a <see cref="BucketStores"/> syncing from it (G18: real objects).
/// </summary>
internal sealed class TestStore : IDisposable
{
    public const string Tenant = "tenant-1";
    private readonly Action<BucketStoreOptions>? _configure;
    private int _seed;

    public TestStore(Action<BucketStoreOptions>? configure = null)
    {
        _configure = configure;
        Root = Path.Combine(Path.GetTempPath(), "mc-storegw-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(TenantDir);
        Directory.CreateDirectory(BucketDir);
        Bucket = new CountingBucket(new FilesystemBucket(BucketDir));
        Stores = NewStores();
    }

    /// <summary>Gets the registry of the current stores' metrics.</summary>
    public MetricsRegistry Registry { get; private set; } = new();

    /// <summary>Gets the clock deletion marks are aged by.</summary>
    public ManualClock Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    public string Root { get; }

    public string TenantDir => Path.Combine(Root, "tsdb", Tenant);

    public string BucketDir => Path.Combine(Root, "bucket");

    public string SyncDir => Path.Combine(Root, "store-gateway");

    public CountingBucket Bucket { get; }

    public BucketStores Stores { get; private set; }

    /// <summary>Writes a block with <paramref name="series"/> over [minT, maxT) and ships it.</summary>
    public Task<BlockMeta> ShipBlockAsync(long minT, long maxT, params (Labels Labels, (long T, double V)[] Samples)[] series) =>
        ShipBlockAsync(minT, maxT, 50, series);

    /// <summary>Writes a block with <paramref name="series"/> (sorted by labels) over [minT, maxT) and ships it.</summary>
    public async Task<BlockMeta> ShipBlockAsync(long minT, long maxT, int samplesPerChunk, IEnumerable<(Labels Labels, (long T, double V)[] Samples)> series)
    {
        var ulid = Ulid.New(maxT + (++_seed), new Random(_seed));
        var meta = BlockWriter.Write(
            TenantDir,
            ulid,
            series.Select(s => ChunkedSeries.FromSamples(s.Labels, s.Samples, samplesPerChunk)),
            new BlockWriteOptions { MinTime = minT, MaxTime = maxT });
        var shipper = new Shipper(Bucket, Tenant, TenantDir, new ShipperMetrics(new MetricsRegistry()), NullLogger.Instance, TimeProvider.System);
        await shipper.ShipAsync();
        return meta;
    }

    /// <summary>Stands in for a restart: a new <see cref="BucketStores"/> over the same bucket and sync dir.</summary>
    public BucketStores Restart()
    {
        Stores.Dispose();
        Stores = NewStores();
        return Stores;
    }

    public static (long T, double V)[] Range(long from, long to, long step, double offset = 0) =>
        [.. Enumerable.Range(0, (int)((to - from) / step) + 1).Select(i => (from + (i * step), offset + i))];

    public static async Task<List<(string Labels, List<(long T, double V)> Samples)>> SelectAsync(IQueryable q, long mint, long maxt, params Matcher[] matchers)
    {
        var result = new List<(string, List<(long, double)>)>();
        await using var querier = q.Querier(Tenant, mint, maxt);
        await foreach (var s in querier.SelectAsync(true, null, matchers, CancellationToken.None))
        {
            var samples = new List<(long, double)>();
            var it = s.Iterator(null);
            while (it.Next())
            {
                samples.Add((it.T, it.V));
            }

            result.Add((s.Labels.ToString(), samples));
        }

        return result;
    }

    public void Dispose()
    {
        Stores.Dispose();
        Bucket.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private BucketStores NewStores()
    {
        var options = new BucketStoreOptions { SyncDir = SyncDir };
        _configure?.Invoke(options);
        Registry = new MetricsRegistry();
        return new(Bucket, options, NullLogger<BucketStores>.Instance, Registry, Clock);
    }
}
