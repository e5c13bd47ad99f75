namespace MetricsCluster.Core.Storage;

/// <summary>
/// The per-query limits on what a query fetches (Mimir's <c>QueryLimiter</c>): unique series, chunks and chunk bytes,
/// counted as series arrive from the ingesters and the store-gateways, so a query over the limit fails while it
/// reads instead of after it has read everything. A series is counted once however many sources (ingester replicas,
/// store-gateways, the ingester and the store for the overlap of their horizons) return it, and however many
/// selectors of the query select it; chunks and bytes are counted as fetched.
/// </summary>
/// <remarks>
/// One instance per query, shared by every source of that query (they read concurrently, hence the lock and the
/// interlocked counters). It flows with the query's async calls, like <see cref="QueryTrace"/>: the querier begins
/// it around the evaluation (<see cref="Begin"/>) and the readers find it in <see cref="Current"/>; without one,
/// reading is unlimited.
/// </remarks>
public sealed class QueryLimiter
{
    private static readonly AsyncLocal<QueryLimiter?> s_current = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Labels> _series = [];
    private long _chunks;
    private long _chunkBytes;

    // The first limit error, kept: once the query is over a limit every later charge fails with it, so no source
    // (e.g. a replica sending only series another replica already got counted) can finish the query after all.
    private volatile string? _exceeded;

    /// <summary>Creates a limiter; a zero limit is no limit.</summary>
    /// <param name="maxSeries">Most unique series (<c>-querier.max-fetched-series-per-query</c>).</param>
    /// <param name="maxChunkBytes">Most chunk bytes (<c>-querier.max-fetched-chunk-bytes-per-query</c>).</param>
    /// <param name="maxChunks">Most chunks (<c>-querier.max-fetched-chunks-per-query</c>).</param>
    public QueryLimiter(int maxSeries, long maxChunkBytes, int maxChunks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSeries);
        ArgumentOutOfRangeException.ThrowIfNegative(maxChunkBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(maxChunks);
        MaxSeries = maxSeries;
        MaxChunkBytes = maxChunkBytes;
        MaxChunks = maxChunks;
    }

    /// <summary>The limiter of the calling async flow's query, or null when it has none (unlimited).</summary>
    public static QueryLimiter? Current => s_current.Value;

    /// <summary>The unique-series limit; 0 = none.</summary>
    public int MaxSeries { get; }

    /// <summary>The chunk-bytes limit; 0 = none.</summary>
    public long MaxChunkBytes { get; }

    /// <summary>The chunks limit; 0 = none.</summary>
    public int MaxChunks { get; }

    /// <summary>Unique series counted so far (only with a series limit: without one they are not tracked).</summary>
    public int SeriesCount
    {
        get
        {
            lock (_lock)
            {
                return _series.Count;
            }
        }
    }

    /// <summary>Chunks counted so far.</summary>
    public long ChunkCount => Interlocked.Read(ref _chunks);

    /// <summary>Chunk bytes counted so far.</summary>
    public long ChunkBytes => Interlocked.Read(ref _chunkBytes);

    /// <summary>Makes <paramref name="limiter"/> the current one for the calling async flow; dispose to end it.</summary>
    public static IDisposable Begin(QueryLimiter? limiter)
    {
        var previous = s_current.Value;
        s_current.Value = limiter;
        return new Restore(previous);
    }

    /// <summary>Counts <paramref name="labels"/> unless it was counted already.</summary>
    /// <exception cref="QueryLimitExceededException">The query now has more unique series than <see cref="MaxSeries"/>.</exception>
    public void AddSeries(Labels labels)
    {
        ThrowIfExceeded();
        if (MaxSeries == 0)
        {
            // Without a series limit the set of label sets would only cost memory (one entry per series of the query).
            return;
        }

        int count;
        lock (_lock)
        {
            if (!_series.Add(labels))
            {
                return;
            }

            count = _series.Count;
        }

        if (count > MaxSeries)
        {
            Exceed(QueryLimitExceededException.MaxSeriesMessage(MaxSeries));
        }
    }

    /// <summary>Counts <paramref name="chunks"/> fetched chunks holding <paramref name="bytes"/> bytes.</summary>
    /// <exception cref="QueryLimitExceededException">The query now has fetched more chunks or chunk bytes than allowed.</exception>
    public void AddChunks(int chunks, long bytes)
    {
        ThrowIfExceeded();
        long totalChunks = Interlocked.Add(ref _chunks, chunks);
        if (MaxChunks > 0 && totalChunks > MaxChunks)
        {
            Exceed(QueryLimitExceededException.MaxChunksMessage(MaxChunks));
        }

        long totalBytes = Interlocked.Add(ref _chunkBytes, bytes);
        if (MaxChunkBytes > 0 && totalBytes > MaxChunkBytes)
        {
            Exceed(QueryLimitExceededException.MaxChunkBytesMessage(MaxChunkBytes));
        }
    }

    /// <summary>Counts one fetched series: its labels, and its chunks when <paramref name="series"/> reports them.</summary>
    /// <exception cref="QueryLimitExceededException">A limit is exceeded.</exception>
    public void Add(ISeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        AddSeries(series.Labels);
        if (series is IFetchedChunks fetched)
        {
            AddChunks(fetched.FetchedChunks, fetched.FetchedChunkBytes);
        }
    }

    private void ThrowIfExceeded()
    {
        if (_exceeded is { } message)
        {
            throw new QueryLimitExceededException(message);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Exceed(string message)
    {
        // The first error wins when sources cross limits at once: the query reports one.
        Interlocked.CompareExchange(ref _exceeded, message, null);
        throw new QueryLimitExceededException(_exceeded);
    }

    private sealed class Restore(QueryLimiter? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}
