using MetricsCluster.Core;
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
    private readonly TenantQueue _queue;
    private readonly EngineOptions _engineOptions;

    /// <summary>
    /// Creates the pipeline; <paramref name="options"/> are validated here. <paramref name="cache"/> is used when
    /// <see cref="QueryFrontendOptions.CacheResults"/> is on; <paramref name="time"/> says what "now" is for the
    /// cache's freshness (G6). <paramref name="engineOptions"/> configure the frontend's own engine, which combines
    /// sharded answers (the querier's, so lookback and limits agree).
    /// </summary>
    public QueryFrontendRunner(QueryFrontendOptions options, IQueryDownstream downstream, IResultsCache? cache = null, TimeProvider? time = null, EngineOptions? engineOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _downstream = downstream;
        _cache = options.CacheResults ? cache ?? CreateCache(options) : null;
        _time = time ?? TimeProvider.System;
        _queue = new TenantQueue(options.MaxOutstandingRequestsPerTenant, options.MaxDownstreamConcurrency);
        _engineOptions = engineOptions ?? new EngineOptions();
    }

    /// <summary>The fair queue every downstream request passes (exposed for tests and metrics).</summary>
    public TenantQueue Queue => _queue;

    /// <summary>What this runner counted (for metrics and tests).</summary>
    public QueryFrontendCounters Counters { get; } = new();

    /// <inheritdoc/>
    /// <exception cref="TooManyOutstandingRequestsException">The tenant's queue is full.</exception>
    public async Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken)
    {
        // Sharded as range queries are (Mimir shards instant queries too); there is nothing to split or cache, so the
        // text is parsed here only when sharding is on.
        var plan = _options.ShardingEnabled ? PlanSharding(QuerySplitter.TryParse(query), query, 1) : null;
        using var limiter = plan is null ? null : new SemaphoreSlim(_options.MaxQueryParallelism);
        try
        {
            return plan is null
                ? await DownstreamInstantAsync(tenant, query, timeMs, cancellationToken)
                : await ShardedInstantAsync(new ShardedRun(plan, limiter!), tenant, query, timeMs, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return Canceled;
        }
        catch (TooManyOutstandingRequestsException)
        {
            Counters.AddTooManyOutstanding();
            throw;
        }
    }

    /// <summary>One instant request downstream, through the tenant's queue.</summary>
    private Task<QueryResult> DownstreamInstantAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken)
    {
        Counters.AddDownstream();
        return _queue.RunAsync(tenant, ct => _downstream.InstantQueryAsync(tenant, query, timeMs, ct), cancellationToken);
    }

    /// <summary>One range request downstream, through the tenant's queue.</summary>
    private Task<QueryResult> DownstreamRangeAsync(string tenant, string query, long start, long end, long step, CancellationToken cancellationToken)
    {
        Counters.AddDownstream();
        return _queue.RunAsync(tenant, ct => _downstream.RangeQueryAsync(tenant, query, start, end, step, ct), cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="TooManyOutstandingRequestsException">The tenant's queue is full.</exception>
    public async Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken)
    {
        if (CheckLimits(startMs, endMs) is { } tooLong)
        {
            Counters.AddTooLong();
            return new QueryResult(null, tooLong, [], []);
        }

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
        var plan = PlanSharding(expr, query, splits.Count);
        using var limiter = plan is null ? null : new SemaphoreSlim(_options.MaxQueryParallelism);
        var sharded = plan is null ? null : new ShardedRun(plan, limiter!);
        if (splits.Count == 1)
        {
            try
            {
                return await RunSplitAsync(tenant, query, splits[0].Start, splits[0].End, stepMs, cacheUntil, sharded, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return Canceled;
            }
            catch (TooManyOutstandingRequestsException)
            {
                Counters.AddTooManyOutstanding();
                throw;
            }
        }

        var results = new QueryResult[splits.Count];
        TooManyOutstandingRequestsException? refused = null;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // No token for the loop itself: a cancelled query still ends with a result (the engine's canceled error).
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxQueryParallelism };
        await Parallel.ForEachAsync(Enumerable.Range(0, splits.Count), parallel, async (i, _) =>
        {
            var (start, end) = splits[i];
            QueryResult result;
            try
            {
                result = failed.IsCancellationRequested
                    ? Canceled
                    : await RunSplitAsync(tenant, query, start, end, stepMs, cacheUntil, sharded, failed.Token);
            }
            catch (TooManyOutstandingRequestsException e)
            {
                // The whole query is refused (429); the splits already queued leave.
                Interlocked.CompareExchange(ref refused, e, null);
                await failed.CancelAsync();
                result = Canceled;
            }
            catch (OperationCanceledException)
            {
                // Stopped while queued, because another split failed (that failure is the answer) or the caller gave up.
                result = Canceled;
            }

            results[i] = result;
            if (result.Error is not null)
            {
                // Mimir never answers partially: the first failure stops the other splits.
                await failed.CancelAsync();
            }
        });
        if (refused is not null)
        {
            Counters.AddTooManyOutstanding();
            throw refused;
        }

        return ResultMerger.Merge(results);
    }

    /// <summary>
    /// Mimir's <c>max_total_query_length</c>: end − start (before alignment and splitting) over the limit fails as
    /// <c>bad_data</c> with Mimir's text; null when the range is allowed. <see cref="RangeQueryAsync"/> checks it
    /// too; an HTTP layer that words <c>bad_data</c> errors its own way can check first.
    /// </summary>
    public QueryError? CheckLimits(long startMs, long endMs)
    {
        long limit = (long)_options.MaxTotalQueryLength.TotalMilliseconds;
        if (limit <= 0 || endMs - startMs <= limit)
        {
            return null;
        }

        string message = $"the total query time range exceeds the limit (query length: {GoDuration.Format(endMs - startMs)}, limit: {GoDuration.Format(limit)}) "
            + ErrorId.Tag(ErrorId.MaxTotalQueryLength) + ErrorId.AdjustLimit(MaxTotalQueryLengthFlag);
        return new QueryError(QueryErrorType.BadData, message);
    }

    /// <summary>The flag named in the total-query-length error.</summary>
    public const string MaxTotalQueryLengthFlag = "query-frontend.max-total-query-length";

    private static readonly QueryResult Canceled = new(null, new QueryError(QueryErrorType.Canceled, "query was canceled"), [], []);

    private static IResultsCache CreateCache(QueryFrontendOptions options) => options.ResultsCacheBackend == QueryFrontendOptions.MemcachedBackend
        ? new MemcachedResultsCache(options.MemcachedAddresses, options.MemcachedTimeout, options.ResultsCacheTtl)
        : new InMemoryResultsCache(options.ResultsCacheMaxSizeBytes);

    private static long FloorToStep(long t, long step) => t - (((t % step) + step) % step);
}
