using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Ruler.Notifier;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Ruler.Tests.Notifier;

public sealed class AlertNotifierTests
{
    [Fact]
    public async Task Alerts_reach_every_alertmanager_with_tenant_and_basic_auth_and_a_failing_one_is_counted()
    {
        var received = new ConcurrentQueue<(string Auth, string Tenant, JsonElement Body)>();
        await using var app = await StartAsync(async ctx =>
        {
            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
            received.Enqueue((ctx.Request.Headers.Authorization.ToString(), ctx.Request.Headers["X-Scope-OrgID"].ToString(), doc.RootElement.Clone()));
            ctx.Response.StatusCode = ctx.Request.Path.StartsWithSegments("/broken") ? 500 : 200;
        });
        string url = app.Urls.First();
        var registry = new MetricsRegistry();
        var options = new RulerOptions { AlertmanagerUrls = [new Uri(url.Replace("http://", "http://u:p@", StringComparison.Ordinal)), new Uri(url + "/broken")] };
        var metrics = new RulerMetrics(registry);
        using var notifier = new AlertNotifier(options, metrics, new HttpClient(), NullLogger<AlertNotifier>.Instance);
        await notifier.StartAsync(CancellationToken.None);
        var alerts = Enumerable.Range(0, 70)
            .Select(i => new NotifierAlert("t1", Labels.FromStrings("alertname", "A", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), [], 1000, 2000, "g"))
            .ToArray();
        notifier.Send(alerts);

        // 70 alerts: two batches (64 + 6), each to both Alertmanagers. The server sees a request before the notifier
        // sees its answer and counts it, so the counters are waited for too.
        var sent = metrics.NotificationsSent.WithLabels("t1", new AlertmanagerTarget(options.AlertmanagerUrls[0]).Name);
        var errors = metrics.NotificationErrors.WithLabels("t1", url + "/broken/api/v2/alerts");
        await WaitForAsync(() => received.Count == 4 && sent.Value >= 70 && errors.Value >= 70);
        await notifier.StopAsync(CancellationToken.None);
        Assert.All(received, r => Assert.Equal("t1", r.Tenant));
        Assert.Equal(2, received.Count(r => r.Auth == "Basic dTpw"));
        Assert.Equal(70, received.Where(r => r.Auth.Length > 0).Sum(r => r.Body.GetArrayLength()));
        Assert.Equal(70, sent.Value);
        Assert.Equal(70, errors.Value);
        Assert.Equal(0, metrics.NotificationsDropped.WithLabels("t1").Value);
    }

    [Fact]
    public void A_full_queue_drops_the_oldest_and_counts_them()
    {
        var metrics = new RulerMetrics(new MetricsRegistry());
        var options = new RulerOptions { AlertmanagerUrls = [new Uri("http://127.0.0.1:1")], NotificationQueueCapacity = 3 };
        using var notifier = new AlertNotifier(options, metrics, new HttpClient(), NullLogger<AlertNotifier>.Instance);
        notifier.Send(Enumerable.Range(0, 5).Select(_ => new NotifierAlert("t1", Labels.Empty, [], 0, 0, "g")).ToArray());
        Assert.Equal(2, metrics.NotificationsDropped.WithLabels("t1").Value);
        Assert.Equal(3, metrics.QueueLength.WithLabels().Value);
    }

    private static async Task<WebApplication> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return app;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(20, cts.Token);
        }
    }
}
