namespace MetricsCluster.Http;

/// <summary>The ingester's operational endpoints (Mimir's <c>/ingester/*</c>).</summary>
internal static class IngesterEndpoints
{
    /// <summary>
    /// <c>POST /ingester/flush[?tenant=a&amp;tenant=b][&amp;wait=true]</c>: cuts everything in the heads of the
    /// given tenants (all when none) into local blocks, regardless of age. With <c>wait=true</c> it answers 204 once
    /// done; otherwise it answers 202 at once and the flush runs in the background (failures are logged), as Mimir.
    /// </summary>
    internal static void MapIngesterFlush(this WebApplication app, Ingester.Ingester ingester)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MetricsCluster.Http.IngesterEndpoints");
        var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        app.MapPost("/ingester/flush", async (HttpRequest request) =>
        {
            string[] tenants = [.. request.Query["tenant"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!)];
            bool wait = string.Equals(request.Query["wait"], "true", StringComparison.OrdinalIgnoreCase);
            var flush = ingester.CompactHeadsAsync(force: true, tenants, stopping);
            if (wait)
            {
                await flush;
                return Results.NoContent();
            }

            _ = flush.ContinueWith(
                t => logger.LogError(t.Exception, "ingester flush failed"),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted,
                TaskScheduler.Default);
            return Results.Accepted();
        });
    }
}
