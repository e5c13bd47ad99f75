using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using Microsoft.Extensions.Logging;
using Xunit;

namespace MetricsCluster.Ingester.Tests;

public sealed class IngesterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ingester-" + Guid.NewGuid().ToString("N"));
    private readonly ListLogger _log = new();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Tenants_get_prometheus_style_directories_and_survive_a_restart()
    {
        using (var ing = await Start())
        {
            await Push(ing, "t1", "m", 1000, 1);
            await Push(ing, "t2", "m", 1000, 2);
            await ing.StopAsync(default);
        }

        Assert.True(File.Exists(Path.Combine(_dir, "t1", "wal", "00000000")));
        Assert.True(File.Exists(Path.Combine(_dir, "t2", "wal", "00000000")));

        using var again = await Start();
        Assert.Equal(["m"], await again.LabelValuesAsync("t1", "__name__", 0, 10_000, [], default));
        var t2 = await Select(again, "t2");
        Assert.Single(t2);
        Assert.Empty(await Select(again, "t3"));
    }

    [Fact]
    public async Task A_torn_wal_tail_is_truncated_logged_and_earlier_samples_kept()
    {
        using (var ing = await Start())
        {
            for (int i = 0; i < 20; i++)
            {
                await Push(ing, "t1", "m", 1000 + i, i);
            }

            await ing.StopAsync(default);
        }

        string seg = Path.Combine(_dir, "t1", "wal", "00000000");
        // Closing pads the page with zeros; cut inside the last record's value instead (its last non-zero byte).
        byte[] bytes = File.ReadAllBytes(seg);
        int lastNonZero = Array.FindLastIndex(bytes, b => b != 0);
        using (var f = File.OpenWrite(seg))
        {
            f.SetLength(lastNonZero);
        }

        using var again = await Start();
        var series = Assert.Single(await Select(again, "t1"));
        Assert.Equal(19, series.Chunks.Sum(c => new Tsdb.Chunks.XorIterator(c.Data).NumSamples));
        Assert.Contains(_log.Lines, l => l.Contains("corrupt at segment 0 offset", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("../tsdb-x")]
    [InlineData("ABSOLUTE")]
    [InlineData("..")]
    public async Task Push_refuses_an_invalid_tenant_and_creates_no_directory(string tenant)
    {
        // The TSDB root sits two levels down so that "../../x" would land inside this test's directory, not in /tmp.
        string tsdb = Path.Combine(_dir, "data", "tsdb");
        tenant = tenant == "ABSOLUTE" ? Path.Combine(_dir, "abs") : tenant;
        using (var ing = await Start(tsdb))
        {
            var e = await Assert.ThrowsAsync<InvalidTenantIdException>(() => Push(ing, tenant, "m", 1, 1));
            Assert.Contains(TenantId.Rule, e.Message, StringComparison.Ordinal);
            Assert.Empty(await ing.AllUserStatsAsync(default));
            await ing.StopAsync(default);
        }

        Assert.Equal([Path.Combine(_dir, "data")], Directory.GetFileSystemEntries(_dir));
        Assert.Equal([tsdb], Directory.GetFileSystemEntries(Path.Combine(_dir, "data")));
        Assert.Empty(Directory.GetFileSystemEntries(tsdb));
    }

    [Fact]
    public async Task Writes_are_refused_after_stop()
    {
        using var ing = await Start();
        await ing.StopAsync(default);
        await Assert.ThrowsAsync<IngesterUnavailableException>(() => Push(ing, "t1", "m", 1, 1));
    }

    [Fact]
    public async Task Dispose_is_idempotent()
    {
        var ing = await Start();
        await Push(ing, "t1", "m", 1, 1);
        await ing.StopAsync(default);
        ing.Dispose();
        ing.Dispose();
    }

    private async Task<Ingester> Start(string? tsdbDir = null)
    {
        var ing = new Ingester(new IngesterOptions { TsdbDir = tsdbDir ?? _dir, WalSegmentSize = 64 * 1024 }, new StaticOverrides(new Limits()), new MetricsRegistry(), _log);
        await ing.StartAsync(default);
        return ing;
    }

    private static async Task Push(Ingester ing, string tenant, string name, long t, double v)
    {
        using var b = new PushBatch();
        var l = Labels.FromStrings("__name__", name);
        b.AddSeries(l.Bytes, l.Hash);
        b.AddSample(t, v);
        var r = await ing.PushAsync(tenant, b, default);
        Assert.Null(r.FirstError);
    }

    private static async Task<List<ChunkSeries>> Select(Ingester ing, string tenant)
    {
        var list = new List<ChunkSeries>();
        await foreach (var s in ing.SelectAsync(tenant, 0, long.MaxValue, false, [new Matcher(MatcherType.Regex, "__name__", ".+")], default))
        {
            list.Add(s);
        }

        return list;
    }
}
