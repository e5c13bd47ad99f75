using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// The query-frontend's pipeline in front of a <see cref="IQueryDownstream"/>: a range query is step-aligned when
/// asked, split by <see cref="QueryFrontendOptions.SplitQueriesByInterval"/>, its splits run at most
/// <see cref="QueryFrontendOptions.MaxQueryParallelism"/> at a time, and their matrices merged. It is itself a
/// downstream, so the host can put it wherever the querier's runner was.
/// </summary>
public sealed partial class QueryFrontendRunner : IQueryDownstream
{
    private readonly QueryFrontendOptions _options;
    private readonly IQueryDownstream _downstream;
    private readonly IResultsCache? _cache;
    private readonly TimeProvider _time;

    /// <summary>
    /// Creates the pipeline; <paramref name="options"/> are validated here. <paramref name="cache"/> is used when
    /// <see cref="QueryFrontendOptions.CacheResults"/> is on; <paramref name="time"/> says what "now" is for the
    /// cache's freshness (G6).
    /// </summary>
    public QueryFrontendRunner(QueryFrontendOptions options, IQueryDownstream downstream, IResultsCache? cache = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _downstream = downstream;
        _cache = options.CacheResults ? cache ?? new InMemoryResultsCache(options.ResultsCacheMaxSizeBytes) : null;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken) =>
        _downstream.InstantQueryAsync(tenant, query, timeMs, cancellationToken);

    /// <inheritdoc/>
    public async Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken)
    {
        if (_options.AlignQueriesWithStep)
        {
            // Mimir's stepAlign middleware: both ends move down to a multiple of the step.
            startMs = FloorToStep(startMs, stepMs);
            endMs = FloorToStep(endMs, stepMs);
        }

        var expr = QuerySplitter.TryParse(query);
        bool splittable = expr is not null && !QuerySplitter.UsesStartOrEnd(expr);
        var splits = splittable
            ? QuerySplitter.Split(startMs, endMs, stepMs, (long)_options.SplitQueriesByInterval.TotalMilliseconds)
            : [(startMs, endMs)];
        long? cacheUntil = splittable ? CacheableUntil(expr!, startMs, stepMs) : null;
        if (splits.Count == 1)
        {
            return await RunSplitAsync(tenant, query, splits[0].Start, splits[0].End, stepMs, cacheUntil, cancellationToken);
        }

        var results = new QueryResult[splits.Count];
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxQueryParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, splits.Count), parallel, async (i, _) =>
        {
            var (start, end) = splits[i];
            var result = failed.IsCancellationRequested
                ? Canceled
                : await RunSplitAsync(tenant, query, start, end, stepMs, cacheUntil, failed.Token);
            results[i] = result;
            if (result.Error is not null)
            {
                // Mimir never answers partially: the first failure stops the other splits.
                await failed.CancelAsync();
            }
        });
        return ResultMerger.Merge(results);
    }

    private static readonly QueryResult Canceled = new(null, new QueryError(QueryErrorType.Canceled, "query was canceled"), [], []);

    private static long FloorToStep(long t, long step) => t - (((t % step) + step) % step);
}
