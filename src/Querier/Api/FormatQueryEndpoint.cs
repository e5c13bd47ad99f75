using System.Text.Encodings.Web;
using System.Text.Json;
using MetricsCluster.PromQL;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// <c>GET/POST &lt;prefix&gt;/api/v1/format_query?query=…</c>: the query in Prometheus' canonical form, or
/// <c>bad_data</c> with the parse error. Needs no tenant, as in Mimir.
/// </summary>
public static class FormatQueryEndpoint
{
    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Maps the endpoint under <paramref name="prefix"/>.</summary>
    public static IEndpointRouteBuilder MapFormatQuery(this IEndpointRouteBuilder app, string prefix)
    {
        app.MapMethods(prefix + "/api/v1/format_query", ["GET", "POST"], async ctx =>
        {
            var p = await ApiParams.ReadAsync(ctx.Request);
            string query = p.One("query") ?? string.Empty;
            int status = 200;
            using var buffer = new MemoryStream();
            await using (var w = new Utf8JsonWriter(buffer, s_json))
            {
                w.WriteStartObject();
                try
                {
                    string formatted = Printer.FormatQuery(query);
                    w.WriteString("status", "success");
                    w.WriteString("data", formatted);
                }
                catch (PromQLParseException e)
                {
                    status = 400;
                    w.WriteString("status", "error");
                    w.WriteString("errorType", "bad_data");
                    w.WriteString("error", e.Message);
                }

                w.WriteEndObject();
            }

            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.Body.WriteAsync(buffer.ToArray(), ctx.RequestAborted);
        });
        return app;
    }
}
