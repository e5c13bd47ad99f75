using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.Collections;
using MetricsCluster.Cluster.Payload;
using MetricsCluster.Cluster.Payload.Wire;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// <see cref="IStoreGatewayClient"/> for one store-gateway, over its grain (G3). Its queriers record the blocks the
/// grain reports as read (the stream's end frame, or the labels reply) into the caller's <see cref="QueriedBlocks"/>;
/// a truncated stream records nothing and throws a retryable <see cref="GrainCallException"/>. Thread-safe.
/// </summary>
public sealed class GrainStoreGatewayClient(IGrainFactory grains, string instance, TimeSpan timeout) : IStoreGatewayClient
{
    /// <summary>The ring instance id this client calls.</summary>
    public string Instance => instance;

    /// <inheritdoc/>
    public IQuerier Querier(string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried) =>
        new GrainQuerier(this, tenant, mint, maxt, blocks, queried);

    private IStoreGatewayGrain Grain => grains.GetGrain<IStoreGatewayGrain>(instance);

    private async Task<StoreLabelsResponse> LabelsAsync(string method, Func<CancellationToken, Task<GrainReply>> call, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        GrainReply reply;
        try
        {
            reply = await call(cts.Token).WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw GrainErrors.ForCaller(e, instance, method, cancellationToken);
        }

        return reply.Status == 0 ? StoreLabelsResponse.Parser.ParseFrom(reply.Payload) : throw GrainErrors.FromReply(reply, instance, method);
    }

    private sealed class GrainQuerier(GrainStoreGatewayClient client, string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried) : IQuerier
    {
        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var req = new StoreSelectRequest { Tenant = tenant, Mint = mint, Maxt = maxt, Sorted = sorted };
            PayloadConvert.ToWire(blocks, req.BlockIds);
            PayloadConvert.ToWire(matchers, req.Matchers);
            if (hints is not null)
            {
                req.Hints = new SelectHintsDesc { Start = hints.Start, End = hints.End, Step = hints.Step, Func = hints.Func ?? string.Empty };
            }

            var frames = client.Grain.Select(req.ToByteArray(), cancellationToken);
            await foreach (var batch in GrainStreamReader.ReadAsync(frames, client.Instance, "store-gateway/Select", end => PayloadConvert.Record(end.QueriedBlocks, queried), cancellationToken).ConfigureAwait(false))
            {
                foreach (var s in batch.Series)
                {
                    var cs = PayloadConvert.FromWire(s);
                    yield return new EncodedChunkSeries(cs.Labels, cs.Chunks, mint, maxt);
                }
            }
        }

        public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
        {
            var req = new StoreLabelNamesRequest { Tenant = tenant, Mint = mint, Maxt = maxt };
            PayloadConvert.ToWire(blocks, req.BlockIds);
            PayloadConvert.ToWire(matchers, req.Matchers);
            var resp = await client.LabelsAsync("store-gateway/LabelNames", ct => client.Grain.LabelNames(req.ToByteArray(), ct), cancellationToken).ConfigureAwait(false);
            return Finish(resp.Values, resp.QueriedBlocks);
        }

        public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
        {
            var req = new StoreLabelValuesRequest { Tenant = tenant, Mint = mint, Maxt = maxt, Name = name };
            PayloadConvert.ToWire(blocks, req.BlockIds);
            PayloadConvert.ToWire(matchers, req.Matchers);
            var resp = await client.LabelsAsync("store-gateway/LabelValues", ct => client.Grain.LabelValues(req.ToByteArray(), ct), cancellationToken).ConfigureAwait(false);
            return Finish(resp.Values, resp.QueriedBlocks);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private IReadOnlyList<string> Finish(RepeatedField<string> values, RepeatedField<string> ids)
        {
            PayloadConvert.Record(ids, queried);
            return [.. values];
        }
    }
}
