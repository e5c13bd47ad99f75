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
    /// <summary>Maps the endpoint under <paramref name="prefix"/>.</summary>
    public static IEndpointRouteBuilder MapFormatQuery(this IEndpointRouteBuilder app, string prefix)
    {
        app.MapMethods(prefix + "/api/v1/format_query", ["GET", "POST"], ctx =>
            PrometheusApi.Handle(ctx, _ => (string.Empty, null), (_, p, w) =>
            {
                try
                {
                    w.WriteStringValue(Printer.FormatQuery(p.One("query") ?? string.Empty));
                }
                catch (PromQLParseException e)
                {
                    // Prometheus wraps it as a bad parameter: invalid parameter "query": 1:5: parse error: ….
                    throw new ApiException("invalid parameter \"query\": " + e.Message);
                }

                return Task.CompletedTask;
            }));
        return app;
    }
}
