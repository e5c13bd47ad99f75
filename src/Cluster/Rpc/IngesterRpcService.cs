using Google.Protobuf;
using MetricsCluster.Cluster.Rpc.Wire;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>The server side of the ingester service: <c>POST /rpc/ingester/&lt;Method&gt;</c> (docs/format/rpc.md).</summary>
public static class IngesterRpcService
{
    private const string Prefix = RpcProtocol.PathPrefix + RpcProtocol.IngesterService + "/";

    /// <summary>
    /// Maps the ingester methods onto <paramref name="app"/> (the host restricts the group to the RPC port with
    /// <see cref="RpcPortFilter.RequireLocalPort"/>). Every method that takes a tenant validates it first
    /// (<see cref="TenantId.ThrowIfInvalid"/>): the ingester turns it into a directory name. Errors:
    /// <see cref="IngesterUnavailableException"/> → 503 (retryable), the deadline → 408, malformed requests and invalid
    /// tenants → 400, the rest → 500 (logged).
    /// </summary>
    /// <param name="app">The route builder.</param>
    /// <param name="ingester">The local ingester.</param>
    /// <param name="stats">Its per-tenant statistics.</param>
    /// <returns><paramref name="app"/>.</returns>
    public static IEndpointRouteBuilder MapIngesterRpc(this IEndpointRouteBuilder app, IIngesterClient ingester, IIngesterStats stats)
    {
        var log = (app.ServiceProvider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(typeof(IngesterRpcService));
        MapUnary(app, "Push", log, async call =>
        {
            using var batch = new PushBatch(call.Body.Length);
            string tenant = TenantId.ThrowIfInvalid(PushCodec.Decode(call.Body, batch));
            var result = await ingester.PushAsync(tenant, batch, call.Token).ConfigureAwait(false);
            return RpcConvert.ToWire(result);
        });
        MapUnary(app, "LabelNames", log, async call =>
        {
            var req = call.Parse(IngesterLabelNamesRequest.Parser);
            TenantId.ThrowIfInvalid(req.Tenant);
            var names = await ingester.LabelNamesAsync(req.Tenant, req.Mint, req.Maxt, RpcConvert.FromWire(req.Matchers), call.Token).ConfigureAwait(false);
            return new LabelsResponse { Values = { names } };
        });
        MapUnary(app, "LabelValues", log, async call =>
        {
            var req = call.Parse(IngesterLabelValuesRequest.Parser);
            TenantId.ThrowIfInvalid(req.Tenant);
            var values = await ingester.LabelValuesAsync(req.Tenant, req.Name, req.Mint, req.Maxt, RpcConvert.FromWire(req.Matchers), call.Token).ConfigureAwait(false);
            return new LabelsResponse { Values = { values } };
        });
        MapUnary(app, "Metadata", log, async call =>
        {
            var req = call.Parse(MetadataRequest.Parser);
            TenantId.ThrowIfInvalid(req.Tenant);
            var metadata = await ingester.MetadataAsync(req.Tenant, req.Metric.Length == 0 ? null : req.Metric, req.Limit, call.Token).ConfigureAwait(false);
            var resp = new MetadataResponse();
            resp.Metadata.AddRange(metadata.Select(RpcConvert.ToWire));
            return resp;
        });
        MapUnary(app, "UserStats", log, async call =>
        {
            var req = call.Parse(UserStatsRequest.Parser);
            TenantId.ThrowIfInvalid(req.Tenant);
            return RpcConvert.ToWire(await stats.UserStatsAsync(req.Tenant, call.Token).ConfigureAwait(false));
        });
        MapUnary(app, "AllUserStats", log, async call =>
        {
            var all = await stats.AllUserStatsAsync(call.Token).ConfigureAwait(false);
            var resp = new AllUserStatsResponse();
            resp.Tenants.AddRange(all.Select(t => new TenantStats { Tenant = t.Tenant, Stats = RpcConvert.ToWire(t.Stats) }));
            return resp;
        });
        app.MapPost(Prefix + "Select", ctx => RpcServerCall.RunStreamAsync(ctx, RpcProtocol.IngesterService + "/Select", log, async (call, writer) =>
        {
            var req = call.Parse(IngesterSelectRequest.Parser);
            TenantId.ThrowIfInvalid(req.Tenant);
            var matchers = RpcConvert.FromWire(req.Matchers);
            await foreach (var s in ingester.SelectAsync(req.Tenant, req.Mint, req.Maxt, req.LabelsOnly, matchers, call.Token).ConfigureAwait(false))
            {
                await writer.AddAsync(RpcConvert.ToWire(s)).ConfigureAwait(false);
            }

            return new EndFrame();
        }));
        RpcNotFound.Map(app, RpcProtocol.IngesterService, log);
        return app;
    }

    private static void MapUnary(IEndpointRouteBuilder app, string method, ILogger log, Func<RpcServerCall, ValueTask<IMessage>> handler)
    {
        string name = RpcProtocol.IngesterService + "/" + method;
        app.MapPost(Prefix + method, ctx => RpcServerCall.RunUnaryAsync(ctx, name, log, handler));
    }
}
