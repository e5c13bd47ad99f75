using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// The query-frontend's pipeline in front of a <see cref="IQueryDownstream"/>: a range query is step-aligned when
/// asked, split by <see cref="QueryFrontendOptions.SplitQueriesByInterval"/>, its splits run at most
/// <see cref="QueryFrontendOptions.MaxQueryParallelism"/> at a time, and their matrices merged. It is itself a
/// downstream, so the host can put it wherever the querier's runner was.
/// </summary>
public sealed class QueryFrontendRunner : IQueryDownstream
{
    private readonly QueryFrontendOptions _options;
    private readonly IQueryDownstream _downstream;

    /// <summary>Creates the pipeline; <paramref name="options"/> are validated here.</summary>
    public QueryFrontendRunner(QueryFrontendOptions options, IQueryDownstream downstream)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _downstream = downstream;
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

        var splits = QuerySplitter.CanSplit(query)
            ? QuerySplitter.Split(startMs, endMs, stepMs, (long)_options.SplitQueriesByInterval.TotalMilliseconds)
            : [(startMs, endMs)];
        if (splits.Count == 1)
        {
            return await _downstream.RangeQueryAsync(tenant, query, splits[0].Start, splits[0].End, stepMs, cancellationToken);
        }

        var results = new QueryResult[splits.Count];
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxQueryParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, splits.Count), parallel, async (i, _) =>
        {
            var (start, end) = splits[i];
            var result = failed.IsCancellationRequested
                ? Canceled
                : await _downstream.RangeQueryAsync(tenant, query, start, end, stepMs, failed.Token);
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
