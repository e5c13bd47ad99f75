using MetricsCluster.Core;
using MetricsCluster.Storage.Shipping;

namespace MetricsCluster.Http;

/// <summary>The ingester's operational endpoints (Mimir's <c>/ingester/*</c>).</summary>
internal static class IngesterEndpoints
{
    /// <summary>
    /// <c>POST /ingester/flush[?tenant=a&amp;tenant=b][&amp;wait=true]</c>: cuts everything in the heads of the
    /// given tenants (all when none; an invalid tenant id answers 400) into local blocks, regardless of age, and ships them. With <c>wait=true</c> it
    /// answers 204 once done; otherwise it answers 202 at once and the flush runs in the background (failures are
    /// logged), as Mimir. A block whose upload fails stays local and is retried by the shipper's next round.
    /// </summary>
    internal static void MapIngesterFlush(this WebApplication app, Ingester.Ingester ingester, ShipperService shipper)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MetricsCluster.Http.IngesterEndpoints");
        var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        app.MapPost("/ingester/flush", async (HttpRequest request) =>
        {
            string[] tenants = [.. request.Query["tenant"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!)];
            foreach (string tenant in tenants)
            {
                // Validated like every other tenant input (issue 12): a bad id is a client error, not an empty flush.
                if (TenantId.Validate(tenant) is { } error)
                {
                    return Results.Text(new InvalidTenantIdException(tenant, error).Message + "\n", statusCode: StatusCodes.Status400BadRequest);
                }
            }

            bool wait = string.Equals(request.Query["wait"], "true", StringComparison.OrdinalIgnoreCase);
            var flush = FlushAndShipAsync(ingester, shipper, tenants, stopping);
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

    /// <summary>
    /// <c>POST /ingester/shutdown</c> (Mimir): leaves the ring (LEAVING, so distributors write to the other replicas),
    /// flushes every tenant's head to blocks, ships them, unregisters, answers 204 and then stops the process;
    /// <c>/ready</c> answers 503 from the moment the ingester leaves ACTIVE. Writes that arrive during the flush still
    /// go to the head and the WAL, so nothing acknowledged is lost: a restart replays them.
    /// When not every block reaches the bucket (it is unreachable, a disk is full) it answers 503 naming the tenants
    /// and blocks left, keeps running LEAVING with all local data (the shipper keeps retrying, queriers still read it)
    /// and can be called again; an operator who wants it gone anyway sends SIGTERM (it then exits non-zero, data kept).
    /// </summary>
    internal static void MapIngesterShutdown(this WebApplication app, IngesterLifecycle lifecycle)
    {
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MetricsCluster.Http.IngesterEndpoints");
        app.MapPost("/ingester/shutdown", async (HttpContext ctx) =>
        {
            logger.LogInformation("shutdown requested over HTTP: leaving the ring, flushing and shipping every tenant");
            var failure = await lifecycle.LeaveAsync(flush: true);
            if (failure is not null)
            {
                logger.LogWarning("shutdown over HTTP refused: {Message}; still running", failure.Message);
                return Results.Text($"shutdown incomplete, still running: {failure.Message}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            ctx.Response.OnCompleted(() =>
            {
                lifetime.StopApplication();
                return Task.CompletedTask;
            });
            return Results.NoContent();
        });
    }

    private static async Task FlushAndShipAsync(Ingester.Ingester ingester, ShipperService shipper, string[] tenants, CancellationToken cancellationToken)
    {
        await ingester.CompactHeadsAsync(force: true, tenants, cancellationToken);
        await shipper.ShipAllAsync(cancellationToken);
    }
}
