using MetricsCluster.Core;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// A series the in-process store-gateway decoded from its blocks, with how many chunks and chunk bytes were read for
/// it, so the querier's fetch limits charge the same as for chunks streamed from a remote store-gateway.
/// </summary>
/// <param name="labels">The series' labels.</param>
/// <param name="samples">Its samples in range, sorted, one per timestamp.</param>
/// <param name="chunks">Chunks read for it across the blocks.</param>
/// <param name="chunkBytes">Their encoded size in bytes.</param>
internal sealed class FetchedSampleSeries(Labels labels, Sample[] samples, int chunks, long chunkBytes) : IDetachedSeries, IFetchedChunks
{
    private readonly SampleArraySeries _samples = new(labels, samples);

    /// <inheritdoc/>
    public Labels Labels => labels;

    /// <inheritdoc/>
    public int FetchedChunks => chunks;

    /// <inheritdoc/>
    public long FetchedChunkBytes => chunkBytes;

    /// <inheritdoc/>
    public SampleIterator Iterator(SampleIterator? reuse) => _samples.Iterator(reuse);
}
