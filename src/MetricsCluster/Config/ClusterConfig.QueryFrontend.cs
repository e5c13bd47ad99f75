namespace MetricsCluster.Config;

/// <summary>The query-frontend's settings (G5; Mimir's flag names, docs/query-frontend.md).</summary>
public sealed partial class ClusterConfig
{
    /// <summary><c>--query-frontend.split-queries-by-interval</c>.</summary>
    public TimeSpan QueryFrontendSplitQueriesByInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary><c>--querier.max-query-parallelism</c>.</summary>
    public int QueryFrontendMaxQueryParallelism { get; set; } = 14;

    /// <summary><c>--query-frontend.align-queries-with-step</c>.</summary>
    public bool QueryFrontendAlignQueriesWithStep { get; set; }

    /// <summary><c>--query-frontend.cache-results</c>.</summary>
    public bool QueryFrontendCacheResults { get; set; }

    /// <summary><c>--query-frontend.results-cache.backend</c>.</summary>
    public string QueryFrontendResultsCacheBackend { get; set; } = MetricsCluster.QueryFrontend.QueryFrontendOptions.InMemoryBackend;

    /// <summary><c>--query-frontend.results-cache.inmemory.max-size-bytes</c>.</summary>
    public long QueryFrontendResultsCacheMaxSizeBytes { get; set; } = 256L << 20;

    /// <summary><c>--query-frontend.results-cache.memcached.addresses</c> (comma-separated <c>host:port</c>).</summary>
    public string QueryFrontendMemcachedAddresses { get; set; } = string.Empty;

    /// <summary><c>--query-frontend.results-cache.memcached.timeout</c>.</summary>
    public TimeSpan QueryFrontendMemcachedTimeout { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary><c>--query-frontend.results-cache-ttl</c>.</summary>
    public TimeSpan QueryFrontendResultsCacheTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary><c>--query-frontend.max-cache-freshness</c>.</summary>
    public TimeSpan QueryFrontendMaxCacheFreshness { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><c>--query-frontend.cache-unaligned-requests</c>.</summary>
    public bool QueryFrontendCacheUnalignedRequests { get; set; }

    /// <summary><c>--query-frontend.max-outstanding-requests-per-tenant</c>.</summary>
    public int QueryFrontendMaxOutstandingRequestsPerTenant { get; set; } = 100;

    /// <summary><c>--query-frontend.max-downstream-concurrency</c>.</summary>
    public int QueryFrontendMaxDownstreamConcurrency { get; set; } = 20;

    /// <summary><c>--query-frontend.max-total-query-length</c>.</summary>
    public TimeSpan QueryFrontendMaxTotalQueryLength { get; set; }

    /// <summary>The query-frontend's options derived from this config (validated by <see cref="Validate"/>).</summary>
    public MetricsCluster.QueryFrontend.QueryFrontendOptions QueryFrontendOptions() => WithSharding(new()
    {
        SplitQueriesByInterval = QueryFrontendSplitQueriesByInterval,
        MaxQueryParallelism = QueryFrontendMaxQueryParallelism,
        AlignQueriesWithStep = QueryFrontendAlignQueriesWithStep,
        CacheResults = QueryFrontendCacheResults,
        ResultsCacheBackend = QueryFrontendResultsCacheBackend,
        ResultsCacheMaxSizeBytes = QueryFrontendResultsCacheMaxSizeBytes,
        MemcachedAddresses = QueryFrontendMemcachedAddresses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        MemcachedTimeout = QueryFrontendMemcachedTimeout,
        ResultsCacheTtl = QueryFrontendResultsCacheTtl,
        MaxCacheFreshness = QueryFrontendMaxCacheFreshness,
        CacheUnalignedRequests = QueryFrontendCacheUnalignedRequests,
        MaxOutstandingRequestsPerTenant = QueryFrontendMaxOutstandingRequestsPerTenant,
        MaxDownstreamConcurrency = QueryFrontendMaxDownstreamConcurrency,
        MaxTotalQueryLength = QueryFrontendMaxTotalQueryLength,
    });

    /// <summary>The query-frontend's flags, in help order.</summary>
    internal static readonly ConfigOption[] QueryFrontendFlags =
    [
        ConfigOption.Dur("query-frontend.split-queries-by-interval", "Split range queries at multiples of this (UTC-aligned); 0 = do not split.", c => c.QueryFrontendSplitQueriesByInterval, (c, v) => c.QueryFrontendSplitQueriesByInterval = v),
        ConfigOption.Int("querier.max-query-parallelism", "Most split sub-queries of one query run at once.", c => c.QueryFrontendMaxQueryParallelism, (c, v) => c.QueryFrontendMaxQueryParallelism = v),
        ConfigOption.Bool("query-frontend.align-queries-with-step", "Move range queries' start and end down to a multiple of the step (changes answers compared with Prometheus).", c => c.QueryFrontendAlignQueriesWithStep, (c, v) => c.QueryFrontendAlignQueriesWithStep = v),
        ConfigOption.Bool("query-frontend.cache-results", "Cache range-query results per split.", c => c.QueryFrontendCacheResults, (c, v) => c.QueryFrontendCacheResults = v),
        ConfigOption.Str("query-frontend.results-cache.backend", "Results cache backend: inmemory or memcached.", c => c.QueryFrontendResultsCacheBackend, (c, v) => c.QueryFrontendResultsCacheBackend = v),
        ConfigOption.Long("query-frontend.results-cache.inmemory.max-size-bytes", "Bound of the in-process results cache (estimated bytes).", c => c.QueryFrontendResultsCacheMaxSizeBytes, (c, v) => c.QueryFrontendResultsCacheMaxSizeBytes = v),
        ConfigOption.Str("query-frontend.results-cache.memcached.addresses", "Comma-separated memcached host:port addresses of the memcached results cache.", c => c.QueryFrontendMemcachedAddresses, (c, v) => c.QueryFrontendMemcachedAddresses = v),
        ConfigOption.Dur("query-frontend.results-cache.memcached.timeout", "Time limit of one memcached request; past it the request is a cache miss.", c => c.QueryFrontendMemcachedTimeout, (c, v) => c.QueryFrontendMemcachedTimeout = v),
        ConfigOption.Dur("query-frontend.results-cache-ttl", "How long memcached keeps a results-cache entry.", c => c.QueryFrontendResultsCacheTtl, (c, v) => c.QueryFrontendResultsCacheTtl = v),
        ConfigOption.Dur("query-frontend.max-cache-freshness", "Results newer than now minus this are never cached.", c => c.QueryFrontendMaxCacheFreshness, (c, v) => c.QueryFrontendMaxCacheFreshness = v),
        ConfigOption.Bool("query-frontend.cache-unaligned-requests", "Cache range queries whose start is not a multiple of their step too.", c => c.QueryFrontendCacheUnalignedRequests, (c, v) => c.QueryFrontendCacheUnalignedRequests = v),
        ConfigOption.Int("query-frontend.max-outstanding-requests-per-tenant", "Most queued requests per tenant; more are refused with 429.", c => c.QueryFrontendMaxOutstandingRequestsPerTenant, (c, v) => c.QueryFrontendMaxOutstandingRequestsPerTenant = v),
        ConfigOption.Int("query-frontend.max-downstream-concurrency", "Most requests the frontend runs downstream at once, across tenants (served round-robin).", c => c.QueryFrontendMaxDownstreamConcurrency, (c, v) => c.QueryFrontendMaxDownstreamConcurrency = v),
        ConfigOption.Dur("query-frontend.max-total-query-length", "Longest end - start of a range query; 0 = no limit.", c => c.QueryFrontendMaxTotalQueryLength, (c, v) => c.QueryFrontendMaxTotalQueryLength = v),
    ];
}
