using Xunit;

namespace MetricsCluster.Distributor.Tests;

/// <summary>Per-tenant series of the distributor stay bounded: an idle tenant's series are dropped.</summary>
public class TenantMetricsTests
{
    [Fact]
    public async Task A_tenant_idle_for_the_timeout_loses_its_series_and_gets_them_back_from_zero_when_it_returns()
    {
        var d = TestDistributor.Create();
        Assert.Equal(PushOutcome.Ok, await d.PushAsync(Requests.Of(Requests.Series(d.NowMs, 1, "__name__", "up")), tenant: "idle"));
        Assert.Equal(400, (await d.PushAsync(Requests.Of(Requests.Series(d.NowMs, 1, "job", "x")), tenant: "idle")).StatusCode);
        Assert.Contains("user=\"idle\"", d.Registry.WriteText(), StringComparison.Ordinal);

        d.Time.Advance(DistributorMetrics.IdleTimeout + TimeSpan.FromMinutes(1));
        Assert.Equal(PushOutcome.Ok, await d.PushAsync(Requests.Of(Requests.Series(d.NowMs, 1, "__name__", "up")), tenant: "active"));
        string text = d.Registry.WriteText();
        Assert.DoesNotContain("user=\"idle\"", text, StringComparison.Ordinal);
        Assert.Contains("user=\"active\"", text, StringComparison.Ordinal);

        Assert.Equal(PushOutcome.Ok, await d.PushAsync(Requests.Of(Requests.Series(d.NowMs, 1, "__name__", "up")), tenant: "idle"));
        Assert.Equal(1, d.Metric("metricscluster_distributor_received_samples_total{user=\"idle\"}"));
        Assert.Equal(1, d.Metric("metricscluster_distributor_requests_total{user=\"idle\",status_code=\"200\"}"));
    }

    [Fact]
    public async Task A_tenant_that_keeps_pushing_keeps_its_series()
    {
        var d = TestDistributor.Create();
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(PushOutcome.Ok, await d.PushAsync(Requests.Of(Requests.Series(d.NowMs, 1, "__name__", "up")), tenant: "busy"));
            d.Time.Advance(DistributorMetrics.IdleTimeout / 2);
        }

        Assert.Equal(4, d.Metric("metricscluster_distributor_received_samples_total{user=\"busy\"}"));
    }
}
