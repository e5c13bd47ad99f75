using MetricsCluster.Core.Metrics;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// The query-frontend's metrics (G6: registered into the injected registry), read from the runner's counters and
/// the queue at scrape time. Names follow Mimir's <c>cortex_frontend_*</c>/<c>cortex_query_frontend_*</c> under our prefix.
/// </summary>
public static class QueryFrontendMetrics
{
    /// <summary>Registers the metrics of <paramref name="frontend"/> in <paramref name="registry"/>.</summary>
    public static void Register(MetricsRegistry registry, QueryFrontendRunner frontend)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(frontend);
        var c = frontend.Counters;
        registry.CounterCallback(
            "metricscluster_query_frontend_split_queries_total",
            "Sub-queries the frontend sent downstream (splits and cache gaps).",
            () => [([], c.Downstream)]);
        registry.CounterCallback(
            "metricscluster_query_frontend_results_cache_requests_total",
            "Results-cache lookups (one per cacheable split).",
            () => [([], c.CacheLookups)]);
        registry.CounterCallback(
            "metricscluster_query_frontend_results_cache_hits_total",
            "Results-cache lookups that found an entry.",
            () => [([], c.CacheHits)]);
        registry.CounterCallback(
            "metricscluster_query_frontend_rejected_queries_total",
            "Queries refused by the frontend, by reason.",
            () => [(["too_many_outstanding_requests"], c.TooManyOutstanding), (["max_total_query_length"], c.TooLong)],
            "reason");
        registry.CounterCallback(
            "metricscluster_query_frontend_query_sharding_rewrites_attempted_total",
            "Range queries the sharding mapper looked at (Mimir's cortex_frontend_query_sharding_rewrites_attempted_total).",
            () => [([], c.ShardingAttempts)]);
        registry.CounterCallback(
            "metricscluster_query_frontend_query_sharding_rewrites_succeeded_total",
            "Range queries rewritten into shards (Mimir's cortex_frontend_query_sharding_rewrites_succeeded_total).",
            () => [([], c.ShardingSuccesses)]);
        registry.CounterCallback(
            "metricscluster_query_frontend_sharded_queries_total",
            "Requests sent downstream for sharded queries, shards and folded parts (Mimir's cortex_frontend_sharded_queries_total).",
            () => [([], c.ShardedQueries)]);
        registry.GaugeCallback(
            "metricscluster_query_frontend_queue_length",
            "Requests waiting in the frontend's queue, per tenant.",
            () => frontend.Queue.WaitingByTenant().Select(w => (new[] { w.Tenant }, (double)w.Count)),
            "user");
    }
}

/// <summary>What the runner counts (read by <see cref="QueryFrontendMetrics"/> and tests). Thread-safe.</summary>
public sealed class QueryFrontendCounters
{
    private long _downstream;
    private long _cacheLookups;
    private long _cacheHits;
    private long _tooManyOutstanding;
    private long _tooLong;
    private long _shardingAttempts;
    private long _shardingSuccesses;
    private long _shardedQueries;

    /// <summary>Range queries the sharding mapper looked at.</summary>
    public long ShardingAttempts => Interlocked.Read(ref _shardingAttempts);

    /// <summary>Range queries rewritten into shards.</summary>
    public long ShardingSuccesses => Interlocked.Read(ref _shardingSuccesses);

    /// <summary>Downstream requests made for sharded queries.</summary>
    public long ShardedQueries => Interlocked.Read(ref _shardedQueries);

    /// <summary>Requests sent downstream.</summary>
    public long Downstream => Interlocked.Read(ref _downstream);

    /// <summary>Results-cache lookups.</summary>
    public long CacheLookups => Interlocked.Read(ref _cacheLookups);

    /// <summary>Lookups that found an entry.</summary>
    public long CacheHits => Interlocked.Read(ref _cacheHits);

    /// <summary>Queries refused because the tenant's queue was full.</summary>
    public long TooManyOutstanding => Interlocked.Read(ref _tooManyOutstanding);

    /// <summary>Queries refused by the total-query-length limit.</summary>
    public long TooLong => Interlocked.Read(ref _tooLong);

    internal void AddDownstream() => Interlocked.Increment(ref _downstream);

    internal void AddCacheLookup(bool hit)
    {
        Interlocked.Increment(ref _cacheLookups);
        if (hit)
        {
            Interlocked.Increment(ref _cacheHits);
        }
    }

    internal void AddTooManyOutstanding() => Interlocked.Increment(ref _tooManyOutstanding);

    internal void AddTooLong() => Interlocked.Increment(ref _tooLong);

    internal void AddShardingAttempt() => Interlocked.Increment(ref _shardingAttempts);

    internal void AddShardingSuccess() => Interlocked.Increment(ref _shardingSuccesses);

    internal void AddShardedQuery() => Interlocked.Increment(ref _shardedQueries);
}
