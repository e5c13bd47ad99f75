using System.Text.Json;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Http;

/// <summary>The distributor's per-tenant statistics page (Mimir's <c>/distributor/all_user_stats</c>).</summary>
internal static class UserStatsEndpoints
{
    /// <summary>
    /// <c>GET /distributor/all_user_stats</c>: a JSON array, one object per tenant, sorted by tenant:
    /// <c>{"userID", "numSeries", "ingestionRate", "samplesIngested"}</c>. In cluster mode the figures are the replicated
    /// ingester client's aggregate over the ring.
    /// </summary>
    internal static void MapAllUserStats(this WebApplication app, IIngesterStats stats) =>
        app.MapGet("/distributor/all_user_stats", async (HttpContext ctx) =>
        {
            var all = await stats.AllUserStatsAsync(ctx.RequestAborted);
            ctx.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(ctx.Response.Body);
            json.WriteStartArray();
            foreach (var t in all)
            {
                json.WriteStartObject();
                json.WriteString("userID", t.Tenant);
                json.WriteNumber("numSeries", t.Stats.NumSeries);
                json.WriteNumber("ingestionRate", t.Stats.IngestionRate);
                json.WriteNumber("samplesIngested", t.Stats.SamplesIngested);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            await json.FlushAsync(ctx.RequestAborted);
        });
}
