using MetricsCluster.Compactor.Compaction;
using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Compactor.Tests.Compaction;

/// <summary>
/// Real blocks (written by <see cref="BlockWriter"/>, uploaded as the shipper does) in a filesystem bucket, and a
/// <see cref="TenantCompactor"/> over them with no first-level wait (the bucket's mtimes are real time).
/// </summary>
internal sealed class CompactionFixture : IDisposable
{
    public const string Tenant = "tenant-1";

    /// <summary>Midnight UTC: aligned to 2h, 12h and 24h.</summary>
    public static readonly long T0 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private readonly string _local = Path.Combine(Path.GetTempPath(), $"mc-compaction-{Guid.NewGuid():N}");
    private int _seed;

    public CompactionFixture()
    {
        Directory.CreateDirectory(_local);
        Registry = new MetricsRegistry();
        Metrics = new CompactionMetrics(Registry);
        CleanerMetrics = new BlocksCleanerMetrics(Registry);
        Options = new CompactorOptions { FirstLevelCompactionWaitPeriod = TimeSpan.Zero, DataDir = Path.Combine(_local, "scratch") };
        Compactor = new TenantCompactor(B.Bucket, Options, Metrics, CleanerMetrics, TimeProvider.System, NullLogger<TenantCompactor>.Instance);
    }

    public TestBucket B { get; } = new();

    public MetricsRegistry Registry { get; }

    public CompactionMetrics Metrics { get; }

    public BlocksCleanerMetrics CleanerMetrics { get; }

    public CompactorOptions Options { get; }

    public TenantCompactor Compactor { get; }

    public static long Ms(double hours) => T0 + (long)(hours * 3_600_000);

    /// <summary>Samples every 15 s of [minH, maxH) hours for series s=0..series-1, value = series * 1e6 + t / 1000.</summary>
    public static Dictionary<Labels, SortedDictionary<long, double>> Samples(double minH, double maxH, int series, Func<long, bool>? keep = null)
    {
        var result = new Dictionary<Labels, SortedDictionary<long, double>>();
        for (int s = 0; s < series; s++)
        {
            var samples = new SortedDictionary<long, double>();
            for (long t = Ms(minH); t < Ms(maxH); t += 15_000)
            {
                if (keep?.Invoke(t) ?? true)
                {
                    samples[t] = (s * 1e6) + (t / 1000 % 1_000_000);
                }
            }

            result[Labels.FromStrings("__name__", "m", "s", s.ToString(System.Globalization.CultureInfo.InvariantCulture))] = samples;
        }

        return result;
    }

    /// <summary>Writes <paramref name="samples"/> as a block [minH, maxH) of <paramref name="level"/> and uploads it; returns its meta.</summary>
    public async Task<BlockMeta> UploadAsync(double minH, double maxH, Dictionary<Labels, SortedDictionary<long, double>> samples, int level = 1, IEnumerable<Ulid>? sources = null)
    {
        var id = Ulid.New(Ms(maxH), new Random(++_seed));
        var thanos = new ThanosMeta();
        thanos.Labels["__org_id__"] = Tenant;
        var meta = BlockWriter.Write(
            _local,
            id,
            samples.Where(kv => kv.Value.Count > 0).Select(kv => ChunkedSeries.FromSamples(kv.Key, kv.Value.Select(p => (p.Key, p.Value)).ToArray())),
            new BlockWriteOptions { MinTime = Ms(minH), MaxTime = Ms(maxH), Thanos = thanos });
        string dir = Path.Combine(_local, id.ToString());
        if (level != 1 || sources is not null)
        {
            meta.Compaction.Level = level;
            meta.Compaction.Sources.Clear();
            meta.Compaction.Sources.AddRange(sources ?? [id]);
            meta.WriteTo(dir);
        }

        await BlockTransfer.UploadAsync(B.Bucket, Tenant, id, dir, default);
        return meta;
    }

    /// <summary>The tenant's blocks without a deletion mark, downloaded and read back.</summary>
    public async Task<List<(BlockMeta Meta, Dictionary<Labels, List<(long T, double V)>> Series)>> LiveBlocksAsync(Ulid? skipReading = null)
    {
        var result = new List<(BlockMeta, Dictionary<Labels, List<(long, double)>>)>();
        var keys = await TestBucket.KeysAsync(B.Bucket, Tenant + "/");
        foreach (string key in keys.Where(k => k.EndsWith("/" + BlockMeta.FileName, StringComparison.Ordinal)))
        {
            var id = Ulid.Parse(key.Split('/')[1]);
            if (keys.Contains(BlockDeletionMark.GlobalKey(Tenant, id)))
            {
                continue;
            }

            string dir = Path.Combine(_local, "read", id.ToString());
            var meta = await BlockTransfer.DownloadAsync(B.Bucket, Tenant, id, dir, default);
            result.Add((meta, id == skipReading ? [] : ReadAll(dir)));
        }

        return result;
    }

    public static Dictionary<Labels, List<(long T, double V)>> ReadAll(string blockDir)
    {
        using var reader = BlockReader.Open(blockDir);
        var result = new Dictionary<Labels, List<(long, double)>>();
        foreach (var s in reader.Querier(long.MinValue, long.MaxValue).Select([]))
        {
            var list = new List<(long, double)>();
            var it = s.Iterator(null);
            while (it.Next())
            {
                list.Add((it.T, it.V));
            }

            Assert.Null(it.Error);
            result.Add(s.Labels, list);
        }

        return result;
    }

    /// <summary>Asserts the union of <paramref name="parts"/> equals <paramref name="actual"/>: every sample once, values bit for bit.</summary>
    public static void AssertExactly(IEnumerable<Dictionary<Labels, SortedDictionary<long, double>>> parts, Dictionary<Labels, List<(long T, double V)>> actual)
    {
        var expected = new Dictionary<Labels, SortedDictionary<long, double>>();
        foreach (var part in parts)
        {
            foreach (var (labels, samples) in part)
            {
                if (!expected.TryGetValue(labels, out var into))
                {
                    expected[labels] = into = new SortedDictionary<long, double>();
                }

                foreach (var (t, v) in samples)
                {
                    into[t] = v;
                }
            }
        }

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (labels, samples) in expected)
        {
            Assert.Equal(samples.Keys, actual[labels].Select(s => s.T));
            Assert.Equal(samples.Values.Select(BitConverter.DoubleToInt64Bits), actual[labels].Select(s => BitConverter.DoubleToInt64Bits(s.V)));
        }
    }

    public void Dispose()
    {
        B.Dispose();
        if (Directory.Exists(_local))
        {
            Directory.Delete(_local, recursive: true);
        }
    }
}

/// <summary>Polls a condition (no fixed sleeps, G18).</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(10);
        }
    }
}
