using System.Buffers;
using System.Runtime.CompilerServices;
using MetricsCluster.Cluster.Rpc.Wire;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>
/// The RPC binding of <see cref="IIngesterClient"/> and <see cref="IIngesterStats"/> for one ingester (G3). Push uses
/// <see cref="RpcClientOptions.PushTimeout"/>, everything else <see cref="RpcClientOptions.Timeout"/>. Failures throw
/// <see cref="RpcException"/> (check <see cref="RpcException.Retryable"/>). Thread-safe.
/// </summary>
public sealed class RemoteIngesterClient : IIngesterClient, IIngesterStats
{
    private readonly RpcClientPool _pool;

    /// <summary>Creates the client.</summary>
    /// <param name="pool">The shared connection pool.</param>
    /// <param name="address">host:port of the ingester's RPC port.</param>
    public RemoteIngesterClient(RpcClientPool pool, string address)
    {
        _pool = pool;
        Address = address;
    }

    /// <summary>host:port of the ingester.</summary>
    public string Address { get; }

    /// <inheritdoc/>
    public async ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken)
    {
        // Encoded straight from the batch into a pooled buffer; PooledBufferContent returns it (see its ownership note).
        int size = PushCodec.Measure(tenant, batch);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        int written = PushCodec.Encode(tenant, batch, buffer);
        var content = PooledBufferContent.Wrap(buffer, written);
        var resp = await _pool.CallAsync(Address, Method("Push"), content, _pool.Options.PushTimeout, PushResponse.Parser, cancellationToken).ConfigureAwait(false);
        return RpcConvert.FromWire(resp);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var req = new IngesterSelectRequest { Tenant = tenant, Mint = mint, Maxt = maxt, LabelsOnly = labelsOnly };
        RpcConvert.ToWire(matchers, req.Matchers);
        await foreach (var batch in _pool.StreamAsync(Address, Method("Select"), req, null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var s in batch.Series)
            {
                yield return RpcConvert.FromWire(s);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var req = new IngesterLabelNamesRequest { Tenant = tenant, Mint = mint, Maxt = maxt };
        RpcConvert.ToWire(matchers, req.Matchers);
        var resp = await _pool.CallAsync(Address, Method("LabelNames"), req, LabelsResponse.Parser, cancellationToken).ConfigureAwait(false);
        return [.. resp.Values];
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var req = new IngesterLabelValuesRequest { Tenant = tenant, Name = name, Mint = mint, Maxt = maxt };
        RpcConvert.ToWire(matchers, req.Matchers);
        var resp = await _pool.CallAsync(Address, Method("LabelValues"), req, LabelsResponse.Parser, cancellationToken).ConfigureAwait(false);
        return [.. resp.Values];
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken)
    {
        var req = new MetadataRequest { Tenant = tenant, Metric = metric ?? string.Empty, Limit = limit };
        var resp = await _pool.CallAsync(Address, Method("Metadata"), req, MetadataResponse.Parser, cancellationToken).ConfigureAwait(false);
        return [.. resp.Metadata.Select(RpcConvert.FromWire)];
    }

    /// <inheritdoc/>
    public async ValueTask<UserStats> UserStatsAsync(string tenant, CancellationToken cancellationToken)
    {
        var resp = await _pool.CallAsync(Address, Method("UserStats"), new UserStatsRequest { Tenant = tenant }, UserStatsResponse.Parser, cancellationToken).ConfigureAwait(false);
        return RpcConvert.FromWire(resp);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<TenantUserStats>> AllUserStatsAsync(CancellationToken cancellationToken)
    {
        var resp = await _pool.CallAsync(Address, Method("AllUserStats"), new AllUserStatsRequest(), AllUserStatsResponse.Parser, cancellationToken).ConfigureAwait(false);
        return [.. resp.Tenants.Select(t => new TenantUserStats(t.Tenant, RpcConvert.FromWire(t.Stats ?? new UserStatsResponse())))];
    }

    private static string Method(string name) => RpcProtocol.IngesterService + "/" + name;
}
