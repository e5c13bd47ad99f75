using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Tests.Shared;
using Xunit;

namespace MetricsCluster.Ingester.Tests;

/// <summary>The ingester on a failing disk: a full disk heals without a restart, a corrupt tenant is quarantined.</summary>
public sealed class IngesterDiskFaultTests : IDisposable
{
    private const string Tenant = "t1";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ingester-fault-" + Guid.NewGuid().ToString("N"));
    private readonly ListLogger _log = new();
    private readonly MetricsRegistry _registry = new();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Pushes_fail_retryably_while_the_disk_is_full_and_heal_once_space_is_freed_and_nothing_acknowledged_is_lost()
    {
        using var disk = SmallDisk.Mount(8 * 1024 * 1024);
        string tsdb = Path.Combine(disk.Path, "tsdb");
        var acked = new HashSet<(int Series, long T)>();
        var failedSeries = new List<int>();
        using (var ing = await Start(tsdb, _registry))
        {
            for (int p = 0; p < 5; p++)
            {
                await PushNew(ing, p, acked);
            }

            disk.Fill();
            int failures = 0;
            for (int p = 5; p < 200 && failures < 3; p++)
            {
                var e = await Record.ExceptionAsync(() => PushNew(ing, p, acked));
                if (e is not null)
                {
                    var unavailable = Assert.IsType<IngesterUnavailableException>(e);
                    Assert.Contains(ErrorId.Tag(ErrorId.IngesterWalWriteFailing), unavailable.Message, StringComparison.Ordinal);
                    failures++;
                    failedSeries.Add(p);
                }
            }

            Assert.Equal(3, failures);
            Assert.Equal([Tenant], ing.WriteFailingTenants);
            Assert.Contains("metricscluster_ingester_tenant_write_failing{user=\"t1\"} 1", _registry.WriteText(), StringComparison.Ordinal);

            // The first error is logged, the ones after it within the log interval only counted.
            Assert.Single(_log.Snapshot(), l => l.StartsWith("tenant t1: writing the WAL failed", StringComparison.Ordinal));

            disk.Free();

            // The series of the failed pushes were never in the WAL: pushed again, replay must know them.
            foreach (int p in failedSeries)
            {
                await PushNew(ing, p, acked, t: 2);
            }

            await PushNew(ing, 300, acked);
            Assert.Empty(ing.WriteFailingTenants);
            Assert.Contains("metricscluster_ingester_tenant_write_failing{user=\"t1\"} 0", _registry.WriteText(), StringComparison.Ordinal);
            await ing.StopAsync(default);
        }

        using var again = await Start(tsdb, new MetricsRegistry());
        var found = await SelectAll(again);
        Assert.Empty(acked.Except(found));
        Assert.Equal(0, again.OpenTenants.Single().Replay.UnknownRefSamples);
    }

    [Fact]
    public async Task A_tenant_whose_checkpoint_is_corrupt_is_quarantined_in_place_while_the_others_start()
    {
        var acked = new HashSet<(int Series, long T)>();
        using (var ing = await Start(_dir, new MetricsRegistry()))
        {
            await PushNew(ing, 1, acked);
            using var b = Batch(2, 1);
            await ing.PushAsync("t2", b, default);
            await ing.StopAsync(default);
        }

        string broken = Path.Combine(_dir, "t2");
        string checkpoint = Path.Combine(broken, "wal", "checkpoint.00000000");
        Directory.CreateDirectory(checkpoint);
        File.WriteAllBytes(Path.Combine(checkpoint, "00000000"), [1, 0, 9, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
        var before = Directory.GetFiles(broken, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        using var again = await Start(_dir, _registry);
        Assert.Equal(acked, await SelectAll(again));
        var e = await Assert.ThrowsAsync<IngesterUnavailableException>(async () =>
        {
            using var b = Batch(3, 2);
            await again.PushAsync("t2", b, default);
        });
        Assert.Contains(ErrorId.Tag(ErrorId.IngesterTenantQuarantined), e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(broken), e.Message, StringComparison.Ordinal);
        Assert.Contains("checkpoint", e.Message, StringComparison.Ordinal);
        Assert.Equal(["t2"], again.QuarantinedTenants.Keys);
        Assert.Contains("metricscluster_ingester_tenant_quarantined{user=\"t2\"} 1", _registry.WriteText(), StringComparison.Ordinal);
        Assert.Contains(_log.Snapshot(), l => l.Contains("tenant t2 quarantined", StringComparison.Ordinal) && l.Contains(Path.GetFullPath(broken), StringComparison.Ordinal));
        Assert.Equal(before, Directory.GetFiles(broken, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList());

        // A shutdown must not report the quarantined tenant's WAL as flushed.
        Assert.Equal(["t1", "t2"], again.UnflushedTenants());
        await again.CompactHeadsAsync(force: true, null, default);
        Assert.Equal(["t2"], again.UnflushedTenants());
    }

    private async Task<Ingester> Start(string dir, MetricsRegistry registry)
    {
        // Recovery is attempted on every push, so the test needs no clock.
        var options = new IngesterOptions
        {
            TsdbDir = dir,
            WalSegmentSize = 1024 * 1024,
            WalSyncInterval = TimeSpan.Zero,
            HeadCompactionInterval = TimeSpan.Zero,
            WalRecoveryInterval = TimeSpan.Zero,
        };
        var ing = new Ingester(options, new StaticOverrides(new Limits()), registry, _log);
        await ing.StartAsync(default);
        return ing;
    }

    /// <summary>Pushes one sample at <paramref name="t"/> for each of 500 series of push <paramref name="p"/>; records them when acknowledged.</summary>
    private static async Task PushNew(Ingester ing, int p, HashSet<(int Series, long T)> acked, long t = 1)
    {
        using var b = Batch(p, t);
        var r = await ing.PushAsync(Tenant, b, default);
        Assert.Null(r.FirstError);
        for (int i = 0; i < 500; i++)
        {
            acked.Add(((p * 1000) + i, t));
        }
    }

    private static PushBatch Batch(int p, long t)
    {
        var b = new PushBatch();
        for (int i = 0; i < 500; i++)
        {
            // Long label values make the series records big, so a push needs fresh disk blocks.
            var l = Labels.FromStrings("__name__", "m", "id", ((p * 1000) + i).ToString(System.Globalization.CultureInfo.InvariantCulture), "pad", new string('x', 100));
            b.AddSeries(l.Bytes, l.Hash);
            b.AddSample(t, i);
        }

        return b;
    }

    private static async Task<HashSet<(int Series, long T)>> SelectAll(Ingester ing)
    {
        var found = new HashSet<(int, long)>();
        await foreach (var s in ing.SelectAsync(Tenant, 0, long.MaxValue, false, [new Matcher(MatcherType.Equal, "__name__", "m")], default))
        {
            int id = int.Parse(s.Labels.Get("id"), System.Globalization.CultureInfo.InvariantCulture);
            foreach (var c in s.Chunks)
            {
                var it = new Tsdb.Chunks.XorIterator(c.Data);
                while (it.Next())
                {
                    found.Add((id, it.T));
                }
            }
        }

        return found;
    }
}
