using Google.Protobuf;
using MetricsCluster.Cluster.Rpc.Wire;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Chunks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>The server side of the store-gateway service: <c>POST /rpc/storegateway/&lt;Method&gt;</c> (docs/format/rpc.md).</summary>
public static class StoreGatewayRpcService
{
    private const string Prefix = RpcProtocol.PathPrefix + RpcProtocol.StoreGatewayService + "/";

    /// <summary>
    /// Maps the store-gateway methods onto <paramref name="app"/> (the host restricts the group to the RPC port with
    /// <see cref="RpcPortFilter.RequireLocalPort"/>); each validates its tenant first (<see cref="TenantId.ThrowIfInvalid"/>).
    /// </summary>
    /// <param name="app">The route builder.</param>
    /// <param name="stores">The local store-gateway (its BucketStores).</param>
    /// <returns><paramref name="app"/>.</returns>
    public static IEndpointRouteBuilder MapStoreGatewayRpc(this IEndpointRouteBuilder app, IStoreGatewayClient stores)
    {
        var log = (app.ServiceProvider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(typeof(StoreGatewayRpcService));
        app.MapPost(Prefix + "Select", ctx => RpcServerCall.RunStreamAsync(ctx, RpcProtocol.StoreGatewayService + "/Select", log, async (call, writer) =>
        {
            var req = call.Parse(StoreSelectRequest.Parser);
            TenantId.ThrowIfInvalid(req.Tenant);
            var matchers = RpcConvert.FromWire(req.Matchers);
            var hints = req.Hints is { } h ? new SelectHints(h.Start, h.End, h.Step, h.Func.Length == 0 ? null : h.Func) : null;
            var queried = new QueriedBlocks();
            var querier = stores.Querier(req.Tenant, req.Mint, req.Maxt, RpcConvert.BlockIds(req.BlockIds), queried);
            await using (querier.ConfigureAwait(false))
            {
                SampleIterator? it = null;
                await foreach (var s in querier.SelectAsync(req.Sorted, hints, matchers, call.Token).ConfigureAwait(false))
                {
                    it = s.Iterator(it);
                    await writer.AddAsync(Encode(s.Labels, it)).ConfigureAwait(false);
                }
            }

            var end = new EndFrame();
            RpcConvert.ToWire(queried.Ids, end.QueriedBlocks);
            return end;
        }));
        MapLabels(app, stores, "LabelNames", log, StoreLabelNamesRequest.Parser, (q, r, ct) => q.LabelNamesAsync(RpcConvert.FromWire(r.Matchers), ct), r => (r.Tenant, r.Mint, r.Maxt, r.BlockIds));
        MapLabels(app, stores, "LabelValues", log, StoreLabelValuesRequest.Parser, (q, r, ct) => q.LabelValuesAsync(r.Name, RpcConvert.FromWire(r.Matchers), ct), r => (r.Tenant, r.Mint, r.Maxt, r.BlockIds));
        RpcNotFound.Map(app, RpcProtocol.StoreGatewayService, log);
        return app;
    }

    /// <summary>
    /// Re-encodes a series' samples as XOR chunks of at most <see cref="XorChunk.MaxSamplesPerChunk"/> samples: the
    /// store-gateway's <see cref="ISeries"/> only offers an iterator.
    /// </summary>
    internal static StreamSeries Encode(Labels labels, SampleIterator it)
    {
        var ws = new StreamSeries { Labels = ByteString.CopyFrom(labels.Bytes) };
        XorChunk? chunk = null;
        while (it.Next())
        {
            chunk ??= new XorChunk();
            chunk.Append(it.T, it.V);
            if (chunk.NumSamples == XorChunk.MaxSamplesPerChunk)
            {
                ws.Chunks.Add(ToWire(chunk));
                chunk = null;
            }
        }

        if (it.Error is { } e)
        {
            throw new InvalidOperationException($"reading series {labels}: {e.Message}", e);
        }

        if (chunk is not null)
        {
            ws.Chunks.Add(ToWire(chunk));
        }

        return ws;
    }

    private static Wire.Chunk ToWire(XorChunk c) => new()
    {
        MinTime = c.MinTime,
        MaxTime = c.MaxTime,
        Encoding = ChunkEncoding.Xor,
        Data = UnsafeByteOperations.UnsafeWrap(c.ToArray()),
    };

    private static void MapLabels<TReq>(
        IEndpointRouteBuilder app,
        IStoreGatewayClient stores,
        string method,
        ILogger log,
        MessageParser<TReq> parser,
        Func<IQuerier, TReq, CancellationToken, ValueTask<IReadOnlyList<string>>> query,
        Func<TReq, (string Tenant, long Mint, long Maxt, Google.Protobuf.Collections.RepeatedField<string> Blocks)> target)
        where TReq : IMessage<TReq>
    {
        string name = RpcProtocol.StoreGatewayService + "/" + method;
        app.MapPost(Prefix + method, ctx => RpcServerCall.RunUnaryAsync(ctx, name, log, async call =>
        {
            var req = call.Parse(parser);
            var (tenant, mint, maxt, blocks) = target(req);
            TenantId.ThrowIfInvalid(tenant);
            var queried = new QueriedBlocks();
            var querier = stores.Querier(tenant, mint, maxt, RpcConvert.BlockIds(blocks), queried);
            IReadOnlyList<string> values;
            await using (querier.ConfigureAwait(false))
            {
                values = await query(querier, req, call.Token).ConfigureAwait(false);
            }

            var resp = new StoreLabelsResponse { Values = { values } };
            RpcConvert.ToWire(queried.Ids, resp.QueriedBlocks);
            return resp;
        }));
    }
}
