using Orleans.Concurrency;
using Orleans.Placement;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.Collections;
using MetricsCluster.Cluster.Payload;
using MetricsCluster.Cluster.Payload.Wire;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Chunks;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Engine;

/// <summary>The grain face of this process's store-gateway; reentrant, its work on the thread pool.</summary>
[InstancePinnedPlacement]
[Immovable]
[KeepAlive]
[Reentrant]
internal sealed class StoreGatewayGrain(LocalStoreGateway local, ILogger<StoreGatewayGrain> log) : Grain, IStoreGatewayGrain
{
    /// <inheritdoc />
    public Task<GrainReply> LabelNames(byte[] request, CancellationToken cancellationToken) => Task.Run(() =>
    {
        return Labels("store-gateway/LabelNames", () =>
        {
            var r = StoreLabelNamesRequest.Parser.ParseFrom(request);
            return (r.Tenant, r.Mint, r.Maxt, r.BlockIds, (q, ct) => q.LabelNamesAsync(PayloadConvert.FromWire(r.Matchers), ct));
        }, cancellationToken);
    });

    /// <inheritdoc />
    public Task<GrainReply> LabelValues(byte[] request, CancellationToken cancellationToken) => Task.Run(() =>
    {
        return Labels("store-gateway/LabelValues", () =>
        {
            var r = StoreLabelValuesRequest.Parser.ParseFrom(request);
            return (r.Tenant, r.Mint, r.Maxt, r.BlockIds, (q, ct) => q.LabelValuesAsync(r.Name, PayloadConvert.FromWire(r.Matchers), ct));
        }, cancellationToken);
    });

    /// <inheritdoc />
    public async IAsyncEnumerable<byte[]> Select(byte[] request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IQuerier? querier = null;
        IAsyncEnumerator<ISeries>? series = null;
        RpcError? error = null;
        var queried = new QueriedBlocks();
        try
        {
            var req = StoreSelectRequest.Parser.ParseFrom(request);
            TenantId.ThrowIfInvalid(req.Tenant);
            var matchers = PayloadConvert.FromWire(req.Matchers);
            var hints = req.Hints is { } h ? new SelectHints(h.Start, h.End, h.Step, h.Func.Length == 0 ? null : h.Func) : null;
            querier = local.Stores.Querier(req.Tenant, req.Mint, req.Maxt, PayloadConvert.BlockIds(req.BlockIds), queried);
            series = querier.SelectAsync(req.Sorted, hints, matchers, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception e)
        {
            error = ToError(e);
        }

        if (querier is null || series is null)
        {
            if (querier is not null)
            {
                await querier.DisposeAsync().ConfigureAwait(true);
            }

            yield return new StreamFrame { Error = error }.ToByteArray();
            yield break;
        }

        await using (querier.ConfigureAwait(true))
        await using (series.ConfigureAwait(true))
        {
            var frames = new FrameBatcher();
            SampleIterator? it = null;
            while (true)
            {
                StreamSeries? next = null;
                try
                {
                    // Off the activation's scheduler: reading and re-encoding block chunks is the expensive part.
                    next = await Task.Run(
                        async () =>
                        {
                            if (!await series.MoveNextAsync().ConfigureAwait(true))
                            {
                                return null;
                            }

                            it = series.Current.Iterator(it);
                            return Encode(series.Current.Labels, it);
                        },
                        cancellationToken).ConfigureAwait(true);
                }
                catch (Exception e)
                {
                    error = ToError(e);
                }

                if (next is null)
                {
                    break;
                }

                if (frames.Add(next) is { } full)
                {
                    yield return full;
                }
            }

            if (frames.Flush() is { } last)
            {
                yield return last;
            }

            if (error is not null)
            {
                yield return new StreamFrame { Error = error }.ToByteArray();
                yield break;
            }

            var end = new EndFrame();
            PayloadConvert.ToWire(queried.Ids, end.QueriedBlocks);
            yield return frames.End(end);
        }
    }

    /// <summary>A block series as a wire series: its samples re-cut into XOR chunks of at most 120 samples.</summary>
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

    private static Payload.Wire.Chunk ToWire(XorChunk c) => new()
    {
        MinTime = c.MinTime,
        MaxTime = c.MaxTime,
        Encoding = ChunkEncoding.Xor,
        Data = UnsafeByteOperations.UnsafeWrap(c.ToArray()),
    };

    private RpcError ToError(Exception e)
    {
        var (code, message) = GrainErrors.Classify(e, "store-gateway/Select", log);
        return new RpcError { Code = (Payload.Wire.ErrorCode)(int)code, Message = message };
    }

    private async Task<GrainReply> Labels(
        string method,
        Func<(string Tenant, long Mint, long Maxt, RepeatedField<string> Blocks, Func<IQuerier, CancellationToken, ValueTask<IReadOnlyList<string>>> Query)> parse,
        CancellationToken cancellationToken)
    {
        try
        {
            var (tenant, mint, maxt, blocks, query) = parse();
            TenantId.ThrowIfInvalid(tenant);
            var queried = new QueriedBlocks();
            IReadOnlyList<string> values;
            var querier = local.Stores.Querier(tenant, mint, maxt, PayloadConvert.BlockIds(blocks), queried);
            await using (querier.ConfigureAwait(true))
            {
                values = await query(querier, cancellationToken).ConfigureAwait(true);
            }

            var resp = new StoreLabelsResponse { Values = { values } };
            PayloadConvert.ToWire(queried.Ids, resp.QueriedBlocks);
            return GrainReply.Ok(resp.ToByteArray());
        }
        catch (Exception e)
        {
            var (code, message) = GrainErrors.Classify(e, method, log);
            return GrainReply.Fail(code, message);
        }
    }
}
