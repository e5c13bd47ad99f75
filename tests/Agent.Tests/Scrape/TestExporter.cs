using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Agent.Tests.Scrape;

/// <summary>
/// A metrics endpoint the test controls: real Kestrel on 127.0.0.1:0 (Mvc.Testing cannot be restored here)
/// serving whatever <see cref="Handler"/> does, and recording the last request's headers.
/// </summary>
public sealed class TestExporter : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestExporter(WebApplication app) => _app = app;

    /// <summary>Answers GET /metrics; replace it to change the page.</summary>
    public Func<HttpContext, Task> Handler { get; set; } = ctx => ctx.Response.WriteAsync(string.Empty);

    /// <summary>Headers of the last request.</summary>
    public IHeaderDictionary? LastRequestHeaders { get; private set; }

    /// <summary>The /metrics URL.</summary>
    public Uri Url { get; private set; } = null!;

    public static async Task<TestExporter> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var exporter = new TestExporter(app);
        app.MapGet("/metrics", ctx =>
        {
            // Kestrel recycles the header collection after the request; keep a copy.
            exporter.LastRequestHeaders = new HeaderDictionary(ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
            return exporter.Handler(ctx);
        });
        await app.StartAsync();
        exporter.Url = new Uri(app.Urls.First() + "/metrics");
        return exporter;
    }

    /// <summary>Serves <paramref name="page"/> with the text 0.0.4 content type.</summary>
    public void ServeText(string page) => Serve(page, "text/plain; version=0.0.4; charset=utf-8");

    /// <summary>Serves <paramref name="page"/> with <paramref name="contentType"/>.</summary>
    public void Serve(string page, string contentType) => Handler = ctx =>
    {
        ctx.Response.ContentType = contentType;
        return ctx.Response.WriteAsync(page);
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
