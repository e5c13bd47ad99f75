using System.Runtime.CompilerServices;
using Google.Protobuf;
using MetricsCluster.Cluster.Payload;
using MetricsCluster.Cluster.Payload.Wire;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// <see cref="IIngesterClient"/> and <see cref="IIngesterStats"/> for one ingester, over its grains (G3): tenant calls
/// go to <c>IIngesterGrain("&lt;instance&gt;/&lt;tenant&gt;")</c>. Push is bounded by <paramref name="pushTimeout"/> (short:
/// a timeout is an unknown outcome, which the quorum treats as a failed replica, as Mimir does), everything else by
/// <paramref name="timeout"/>. Failures throw <see cref="GrainCallException"/>. Thread-safe.
/// </summary>
public sealed class GrainIngesterClient(IGrainFactory grains, string instance, TimeSpan pushTimeout, TimeSpan timeout) : IIngesterClient, IIngesterStats
{
    /// <summary>The ring instance id this client calls.</summary>
    public string Instance => instance;

    /// <inheritdoc/>
    public async ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken)
    {
        byte[] payload = new byte[PushCodec.Measure(tenant, batch)];
        PushCodec.Encode(tenant, batch, payload);
        var reply = await CallAsync("ingester/Push", pushTimeout, ct => Grain(tenant).Push(payload, ct), cancellationToken).ConfigureAwait(false);
        return PayloadConvert.FromWire(PushResponse.Parser.ParseFrom(reply));
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var req = new IngesterSelectRequest { Tenant = tenant, Mint = mint, Maxt = maxt, LabelsOnly = labelsOnly };
        PayloadConvert.ToWire(matchers, req.Matchers);
        var frames = Grain(tenant).Select(req.ToByteArray(), cancellationToken);
        await foreach (var batch in GrainStreamReader.ReadAsync(frames, instance, "ingester/Select", null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var s in batch.Series)
            {
                yield return PayloadConvert.FromWire(s);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var req = new IngesterLabelNamesRequest { Tenant = tenant, Mint = mint, Maxt = maxt };
        PayloadConvert.ToWire(matchers, req.Matchers);
        var reply = await CallAsync("ingester/LabelNames", timeout, ct => Grain(tenant).LabelNames(req.ToByteArray(), ct), cancellationToken).ConfigureAwait(false);
        return [.. LabelsResponse.Parser.ParseFrom(reply).Values];
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var req = new IngesterLabelValuesRequest { Tenant = tenant, Name = name, Mint = mint, Maxt = maxt };
        PayloadConvert.ToWire(matchers, req.Matchers);
        var reply = await CallAsync("ingester/LabelValues", timeout, ct => Grain(tenant).LabelValues(req.ToByteArray(), ct), cancellationToken).ConfigureAwait(false);
        return [.. LabelsResponse.Parser.ParseFrom(reply).Values];
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken)
    {
        var req = new MetadataRequest { Tenant = tenant, Metric = metric ?? string.Empty, Limit = limit };
        var reply = await CallAsync("ingester/Metadata", timeout, ct => Grain(tenant).Metadata(req.ToByteArray(), ct), cancellationToken).ConfigureAwait(false);
        return [.. MetadataResponse.Parser.ParseFrom(reply).Metadata.Select(PayloadConvert.FromWire)];
    }

    /// <inheritdoc/>
    public async ValueTask<UserStats> UserStatsAsync(string tenant, CancellationToken cancellationToken)
    {
        var reply = await CallAsync("ingester/UserStats", timeout, ct => Grain(tenant).UserStats(ct), cancellationToken).ConfigureAwait(false);
        return PayloadConvert.FromWire(UserStatsResponse.Parser.ParseFrom(reply));
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<TenantUserStats>> AllUserStatsAsync(CancellationToken cancellationToken)
    {
        var reply = await CallAsync("ingester/AllUserStats", timeout, ct => grains.GetGrain<IIngesterInstanceGrain>(instance).AllUserStats(ct), cancellationToken).ConfigureAwait(false);
        return [.. AllUserStatsResponse.Parser.ParseFrom(reply).Tenants.Select(t => new TenantUserStats(t.Tenant, PayloadConvert.FromWire(t.Stats ?? new UserStatsResponse())))];
    }

    private IIngesterGrain Grain(string tenant) => grains.GetGrain<IIngesterGrain>(instance + "/" + TenantId.ThrowIfInvalid(tenant));

    private async Task<byte[]> CallAsync(string method, TimeSpan limit, Func<CancellationToken, Task<GrainReply>> call, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(limit);
        GrainReply reply;
        try
        {
            reply = await call(cts.Token).WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw GrainErrors.ForCaller(e, instance, method, cancellationToken);
        }

        return reply.Status == 0 ? reply.Payload : throw GrainErrors.FromReply(reply, instance, method);
    }
}
