namespace MetricsCluster.Core.Storage;

/// <summary>
/// A series that knows how many encoded chunks, and how many bytes of them, were fetched to build it; the query
/// limiter counts them (<see cref="QueryLimiter.Add"/>). Series that do not implement it count as labels only.
/// </summary>
public interface IFetchedChunks
{
    /// <summary>Chunks fetched for this series.</summary>
    int FetchedChunks { get; }

    /// <summary>Bytes of encoded chunk data fetched for this series.</summary>
    long FetchedChunkBytes { get; }
}
