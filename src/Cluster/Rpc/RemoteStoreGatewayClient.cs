using System.Runtime.CompilerServices;
using Google.Protobuf.Collections;
using MetricsCluster.Cluster.Rpc.Wire;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>
/// The RPC binding of <see cref="IStoreGatewayClient"/> for one store-gateway (G3). Its queriers record the blocks the
/// server reports as read (the stream's end frame, or the labels reply) into the caller's <see cref="QueriedBlocks"/>;
/// a truncated stream records nothing and throws a retryable <see cref="RpcException"/>. Thread-safe.
/// </summary>
public sealed class RemoteStoreGatewayClient : IStoreGatewayClient
{
    private readonly RpcClientPool _pool;

    /// <summary>Creates the client.</summary>
    /// <param name="pool">The shared connection pool.</param>
    /// <param name="address">host:port of the store-gateway's RPC port.</param>
    public RemoteStoreGatewayClient(RpcClientPool pool, string address)
    {
        _pool = pool;
        Address = address;
    }

    /// <summary>host:port of the store-gateway.</summary>
    public string Address { get; }

    /// <inheritdoc/>
    public IQuerier Querier(string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried) =>
        new RemoteQuerier(this, tenant, mint, maxt, blocks, queried);

    private static string Method(string name) => RpcProtocol.StoreGatewayService + "/" + name;

    private sealed class RemoteQuerier(RemoteStoreGatewayClient client, string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried) : IQuerier
    {
        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var req = new StoreSelectRequest { Tenant = tenant, Mint = mint, Maxt = maxt, Sorted = sorted };
            RpcConvert.ToWire(blocks, req.BlockIds);
            RpcConvert.ToWire(matchers, req.Matchers);
            if (hints is not null)
            {
                req.Hints = new SelectHintsDesc { Start = hints.Start, End = hints.End, Step = hints.Step, Func = hints.Func ?? string.Empty };
            }

            var frames = client._pool.StreamAsync(client.Address, Method("Select"), req, end => RpcConvert.Record(end.QueriedBlocks, queried), cancellationToken);
            await foreach (var batch in frames.ConfigureAwait(false))
            {
                foreach (var s in batch.Series)
                {
                    var cs = RpcConvert.FromWire(s);
                    yield return new EncodedChunkSeries(cs.Labels, cs.Chunks, mint, maxt);
                }
            }
        }

        public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
        {
            var req = new StoreLabelNamesRequest { Tenant = tenant, Mint = mint, Maxt = maxt };
            RpcConvert.ToWire(blocks, req.BlockIds);
            RpcConvert.ToWire(matchers, req.Matchers);
            var resp = await client._pool.CallAsync(client.Address, Method("LabelNames"), req, StoreLabelsResponse.Parser, cancellationToken).ConfigureAwait(false);
            return Finish(resp.Values, resp.QueriedBlocks);
        }

        public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
        {
            var req = new StoreLabelValuesRequest { Tenant = tenant, Mint = mint, Maxt = maxt, Name = name };
            RpcConvert.ToWire(blocks, req.BlockIds);
            RpcConvert.ToWire(matchers, req.Matchers);
            var resp = await client._pool.CallAsync(client.Address, Method("LabelValues"), req, StoreLabelsResponse.Parser, cancellationToken).ConfigureAwait(false);
            return Finish(resp.Values, resp.QueriedBlocks);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private IReadOnlyList<string> Finish(RepeatedField<string> values, RepeatedField<string> ids)
        {
            RpcConvert.Record(ids, queried);
            return [.. values];
        }
    }
}
