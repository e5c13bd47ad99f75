using MetricsCluster.Core.Storage;

namespace MetricsCluster.Core.Ingest;

/// <summary>
/// How the distributor and querier talk to one ingester (G3): bound in-process for
/// <c>--target=all</c>, over grain calls in cluster mode. Members take the tenant first and the token last.
/// </summary>
public interface IIngesterClient
{
    /// <summary>Appends a batch; returns only after accepted samples are in the WAL.</summary>
    ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// Streams series matching <paramref name="matchers"/> with their chunks overlapping [mint, maxt]. The chunk bytes
    /// belong to the caller (copies, or what arrived over the wire): a query may read them after the stream ended.
    /// </summary>
    IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken);

    /// <summary>Sorted label names.</summary>
    ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken);

    /// <summary>Sorted values of one label.</summary>
    ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken);

    /// <summary>Metric metadata, optionally for one metric, at most <paramref name="limit"/> families (≤0 = all).</summary>
    ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken);
}

/// <summary>A series with its encoded chunks, as an ingester or store-gateway returns it.</summary>
/// <param name="Labels">The label set.</param>
/// <param name="Chunks">Chunks in time order.</param>
public sealed record ChunkSeries(Labels Labels, IReadOnlyList<EncodedChunk> Chunks);

/// <summary>One chunk in its TSDB encoding.</summary>
/// <param name="MinTime">First sample timestamp.</param>
/// <param name="MaxTime">Last sample timestamp.</param>
/// <param name="Encoding">TSDB chunk encoding byte (1 = XOR).</param>
/// <param name="Data">The chunk data, exactly as in a TSDB chunk file.</param>
public sealed record EncodedChunk(long MinTime, long MaxTime, byte Encoding, ReadOnlyMemory<byte> Data);
