using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Ingester.Tests;

/// <summary>The ingester's per-instance limits (Mimir's <c>-ingester.instance-limits.*</c>).</summary>
public sealed class InstanceLimitsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ingester-limits-" + Guid.NewGuid().ToString("N"));
    private readonly MetricsRegistry _registry = new();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_new_tenant_over_the_limit_is_refused_and_existing_tenants_keep_working()
    {
        using var ing = await Start(o => o.MaxTenants = 2);
        await Push(ing, "t1", 1000);
        await Push(ing, "t2", 1000);

        var e = await Assert.ThrowsAsync<IngesterUnavailableException>(() => Push(ing, "t3", 1000));
        Assert.Equal(
            "the write request has been rejected because the ingester exceeded the allowed number of tenants (err-mc-ingester-max-tenants). To adjust the related limit, configure -ingester.instance-limits.max-tenants, or contact your service administrator.",
            e.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir, "t3")));
        Assert.DoesNotContain("\"t3\"", _registry.WriteText(), StringComparison.Ordinal);
        Assert.Contains("metricscluster_ingester_instance_rejected_requests_total{reason=\"ingester_max_tenants\"} 1", _registry.WriteText(), StringComparison.Ordinal);

        await Push(ing, "t1", 2000);
        await Push(ing, "t2", 2000);
        await ing.StopAsync(default);
    }

    [Fact]
    public async Task Tenants_on_disk_are_opened_at_start_whatever_the_limit()
    {
        using (var ing = await Start(o => o.MaxTenants = 0))
        {
            await Push(ing, "t1", 1000);
            await Push(ing, "t2", 1000);
            await ing.StopAsync(default);
        }

        using var again = await Start(o => o.MaxTenants = 1);
        await Push(again, "t1", 2000);
        await Push(again, "t2", 2000);
        await Assert.ThrowsAsync<IngesterUnavailableException>(() => Push(again, "t3", 1000));
        await again.StopAsync(default);
    }

    [Fact]
    public async Task A_push_over_the_inflight_limit_is_refused_until_one_finishes()
    {
        using var ing = await Start(o => o.MaxInflightPushRequests = 1);
        ing.EnterPush(); // Another push in flight.
        var e = await Assert.ThrowsAsync<IngesterUnavailableException>(() => Push(ing, "t1", 1000));
        Assert.Contains("exceeded the allowed number of inflight push requests (err-mc-ingester-max-inflight-push-requests). To adjust the related limit, configure -ingester.instance-limits.max-inflight-push-requests", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, ing.InflightPushRequests);

        ing.ExitPush();
        await Push(ing, "t1", 1000);
        Assert.Equal(0, ing.InflightPushRequests);
        await ing.StopAsync(default);
    }

    private async Task<Ingester> Start(Action<IngesterOptions> change)
    {
        var options = new IngesterOptions { TsdbDir = _dir, WalSegmentSize = 64 * 1024 };
        change(options);
        var ing = new Ingester(options, new StaticOverrides(new Limits()), _registry, NullLogger<Ingester>.Instance);
        await ing.StartAsync(default);
        return ing;
    }

    private static async Task Push(Ingester ing, string tenant, long t)
    {
        using var b = new PushBatch();
        var l = Labels.FromStrings("__name__", "m");
        b.AddSeries(l.Bytes, l.Hash);
        b.AddSample(t, 1);
        var r = await ing.PushAsync(tenant, b, default);
        Assert.Null(r.FirstError);
    }
}
