using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>
/// Restricts endpoints to connections accepted on one local port: the internal RPC routes must not answer on the
/// public HTTP port. The decision uses the socket's local port, not the <c>Host</c> header (which
/// <c>RequireHost</c> matches and any client can set to name the RPC port).
/// </summary>
public static class RpcPortFilter
{
    /// <summary>
    /// Makes every endpoint of <paramref name="builder"/> answer 404 (as if it did not exist) unless the connection
    /// arrived on local port <paramref name="port"/>.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint (group) builder type.</typeparam>
    /// <param name="builder">The endpoints to restrict.</param>
    /// <param name="port">The local port they answer on.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static TBuilder RequireLocalPort<TBuilder>(this TBuilder builder, int port)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        builder.Add(endpoint =>
        {
            // Wrapping the delegate (rather than a matcher policy) keeps the check next to the handler it guards: no
            // route order or other policy can let a request past it.
            var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException($"endpoint {endpoint.DisplayName} has no request delegate");
            endpoint.RequestDelegate = ctx =>
            {
                if (ctx.Connection.LocalPort == port)
                {
                    return inner(ctx);
                }

                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            };
        });
        return builder;
    }
}
