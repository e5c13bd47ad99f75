using Orleans.Concurrency;
using Orleans.Placement;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using MetricsCluster.Cluster.Payload;
using MetricsCluster.Cluster.Payload.Wire;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// The grain face of one tenant's head and WAL on this ingester (<c>&lt;data.dir&gt;/tsdb/&lt;tenant&gt;/</c>, owned by the
/// process's ingester, which writes the WAL before a push is acknowledged: Orleans never holds samples).
/// Pinned to its instance's silo; never moved by rebalancing (<see cref="ImmovableAttribute"/>) nor collected when
/// idle (<see cref="KeepAliveAttribute"/>: the activation is cheap, and the head it fronts is never idle-evicted
/// either). Reentrant: pushes and selects of one tenant run concurrently, as they do in the head itself, and the
/// work runs on the thread pool, not the activation's single-threaded scheduler.
/// </summary>
[InstancePinnedPlacement]
[Immovable]
[KeepAlive]
[Reentrant]
internal sealed class IngesterGrain(LocalIngester local, ILogger<IngesterGrain> log) : Grain, IIngesterGrain
{
    /// <summary>A series batch is sent once it holds about this many bytes (one frame of a streamed select).</summary>
    internal const int FrameBytes = 256 * 1024;

    private string? _tenant;

    // Parsed once per activation: every push checks its payload's tenant against it.
    private string Tenant => _tenant ??= InstancePinnedPlacement.TenantOf(this.GetPrimaryKeyString());

    /// <inheritdoc />
    public Task<GrainReply> Push(byte[] payload, CancellationToken cancellationToken) => Run("ingester/Push", async () =>
    {
        using var batch = new PushBatch(payload.Length);
        string tenant = TenantId.ThrowIfInvalid(PushCodec.Decode(payload, batch));
        CheckTenant(tenant);
        var result = await local.Client.PushAsync(tenant, batch, cancellationToken).ConfigureAwait(true);
        return PayloadConvert.ToWire(result);
    });

    /// <inheritdoc />
    public Task<GrainReply> LabelNames(byte[] request, CancellationToken cancellationToken) => Run("ingester/LabelNames", async () =>
    {
        var req = IngesterLabelNamesRequest.Parser.ParseFrom(request);
        CheckTenant(req.Tenant);
        var names = await local.Client.LabelNamesAsync(req.Tenant, req.Mint, req.Maxt, PayloadConvert.FromWire(req.Matchers), cancellationToken).ConfigureAwait(true);
        return new LabelsResponse { Values = { names } };
    });

    /// <inheritdoc />
    public Task<GrainReply> LabelValues(byte[] request, CancellationToken cancellationToken) => Run("ingester/LabelValues", async () =>
    {
        var req = IngesterLabelValuesRequest.Parser.ParseFrom(request);
        CheckTenant(req.Tenant);
        var values = await local.Client.LabelValuesAsync(req.Tenant, req.Name, req.Mint, req.Maxt, PayloadConvert.FromWire(req.Matchers), cancellationToken).ConfigureAwait(true);
        return new LabelsResponse { Values = { values } };
    });

    /// <inheritdoc />
    public Task<GrainReply> Metadata(byte[] request, CancellationToken cancellationToken) => Run("ingester/Metadata", async () =>
    {
        var req = MetadataRequest.Parser.ParseFrom(request);
        CheckTenant(req.Tenant);
        var metadata = await local.Client.MetadataAsync(req.Tenant, req.Metric.Length == 0 ? null : req.Metric, req.Limit, cancellationToken).ConfigureAwait(true);
        var resp = new MetadataResponse();
        resp.Metadata.AddRange(metadata.Select(PayloadConvert.ToWire));
        return resp;
    });

    /// <inheritdoc />
    public Task<GrainReply> UserStats(CancellationToken cancellationToken) => Run("ingester/UserStats", async () =>
        PayloadConvert.ToWire(await local.Stats.UserStatsAsync(TenantId.ThrowIfInvalid(Tenant), cancellationToken).ConfigureAwait(true)));

    /// <inheritdoc />
    public async IAsyncEnumerable<byte[]> Select(byte[] request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerator<ChunkSeries>? series = null;
        RpcError? error = null;
        try
        {
            var req = IngesterSelectRequest.Parser.ParseFrom(request);
            CheckTenant(req.Tenant);
            series = local.Client.SelectAsync(req.Tenant, req.Mint, req.Maxt, req.LabelsOnly, PayloadConvert.FromWire(req.Matchers), cancellationToken)
                .GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception e)
        {
            error = ToError(e, "ingester/Select");
        }

        if (series is null)
        {
            yield return new StreamFrame { Error = error }.ToByteArray();
            yield break;
        }

        await using (series.ConfigureAwait(true))
        {
            var frames = new FrameBatcher();
            while (true)
            {
                bool more;
                try
                {
                    // Off the activation's scheduler: decoding a head's chunks is the expensive part of a select.
                    more = await Task.Run(async () => await series.MoveNextAsync().ConfigureAwait(true), cancellationToken).ConfigureAwait(true);
                }
                catch (Exception e)
                {
                    error = ToError(e, "ingester/Select");
                    break;
                }

                if (!more)
                {
                    break;
                }

                if (frames.Add(PayloadConvert.ToWire(series.Current)) is { } full)
                {
                    yield return full;
                }
            }

            if (frames.Flush() is { } last)
            {
                yield return last;
            }

            yield return error is null ? frames.End(new EndFrame()) : new StreamFrame { Error = error }.ToByteArray();
        }
    }

    private RpcError ToError(Exception e, string method)
    {
        var (code, message) = GrainErrors.Classify(e, method, log);
        return new RpcError { Code = (Payload.Wire.ErrorCode)(int)code, Message = message };
    }

    private void CheckTenant(string tenant)
    {
        if (!string.Equals(tenant, Tenant, StringComparison.Ordinal))
        {
            throw new ArgumentException($"request for tenant '{tenant}' sent to the grain of tenant '{Tenant}'");
        }
    }

    private Task<GrainReply> Run(string method, Func<Task<IMessage>> call) => Task.Run(async () =>
    {
        try
        {
            return GrainReply.Ok((await call().ConfigureAwait(true)).ToByteArray());
        }
        catch (Exception e)
        {
            var (code, message) = GrainErrors.Classify(e, method, log);
            return GrainReply.Fail(code, message);
        }
    });
}
