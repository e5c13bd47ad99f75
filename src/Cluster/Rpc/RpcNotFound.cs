using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>Answers an unknown method of a known service with 404 and an <c>RpcError</c> body (NotFound, permanent).</summary>
internal static class RpcNotFound
{
    /// <summary>Maps the catch-all route of <paramref name="service"/>; literal method routes take precedence over it.</summary>
    public static void Map(IEndpointRouteBuilder app, string service, ILogger log) =>
        app.Map(RpcProtocol.PathPrefix + service + "/{**method}", ctx =>
        {
            string method = service + "/" + ctx.Request.RouteValues["method"];
            return RpcServerCall.RunUnaryAsync(ctx, method, log, _ =>
                throw new RpcStatusException(RpcStatusCode.NotFound, $"unknown method {ctx.Request.Method} {ctx.Request.Path}"));
        });
}
