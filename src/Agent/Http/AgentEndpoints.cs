using System.Text.Json;
using MetricsCluster.Agent.Manager;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MetricsCluster.Agent.Http;

/// <summary>The agent's HTTP API: the targets API (also under the Prometheus prefix), the targets page and <c>POST /-/reload</c>.</summary>
public static class AgentEndpoints
{
    /// <summary>Maps the routes onto <paramref name="app"/>.</summary>
    public static void MapAgent(this IEndpointRouteBuilder app, AgentService agent, TimeProvider time)
    {
        app.MapGet("/api/v1/targets", (HttpContext ctx) => WriteTargetsAsync(ctx, agent));
        app.MapGet("/prometheus/api/v1/targets", (HttpContext ctx) => WriteTargetsAsync(ctx, agent));
        app.MapGet("/targets", () => Results.Content(TargetsPage.Render(agent.Targets(), time.GetUtcNow(), agent.Destinations), "text/html; charset=utf-8"));
        app.MapPost("/-/reload", async (HttpContext ctx) =>
        {
            // Prometheus answers a failed reload with 500 and the error as plain text; the old config keeps running.
            string? error = await agent.ReloadAsync(ctx.RequestAborted);
            return error is null ? Results.Ok() : Results.Text("failed to reload config: " + error + "\n", statusCode: StatusCodes.Status500InternalServerError);
        });
    }

    private static async Task WriteTargetsAsync(HttpContext ctx, AgentService agent)
    {
        // As Prometheus: empty means any; an unknown state lists neither kind.
        string state = ctx.Request.Query["state"].ToString().Trim().ToLowerInvariant() is { Length: > 0 } s ? s : "any";

        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter);
        TargetsJson.Write(w, agent.Targets(), state);
        await w.FlushAsync(ctx.RequestAborted);
    }
}
