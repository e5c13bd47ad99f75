namespace MetricsCluster.QueryFrontend;

/// <summary>
/// Query-frontend settings (G5), named after Mimir's flags. Per-tenant limits that Mimir keeps in its limits block
/// (<c>max_query_parallelism</c>, <c>max_total_query_length</c>, <c>max_cache_freshness</c>) are process-wide here.
/// </summary>
public sealed partial class QueryFrontendOptions
{
    /// <summary>Range queries are split into sub-queries at multiples of this (UTC-aligned); zero disables splitting (<c>-query-frontend.split-queries-by-interval</c>, 24h).</summary>
    public TimeSpan SplitQueriesByInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Most sub-queries of one query run at once (<c>-querier.max-query-parallelism</c>, Mimir's 14).</summary>
    public int MaxQueryParallelism { get; set; } = 14;

    /// <summary>
    /// Moves start and end down to a multiple of the step (<c>-query-frontend.align-queries-with-step</c>). Off by
    /// default, as in Mimir, because it changes answers compared with Prometheus.
    /// </summary>
    public bool AlignQueriesWithStep { get; set; }

    /// <summary>Caches range-query results per split (<c>-query-frontend.cache-results</c>, off by default as in Mimir).</summary>
    public bool CacheResults { get; set; }

    /// <summary>The results cache's backend (<c>-query-frontend.results-cache.backend</c>): <c>inmemory</c> or <c>memcached</c>.</summary>
    public string ResultsCacheBackend { get; set; } = InMemoryBackend;

    /// <summary>The in-memory results cache's bound in bytes (<c>-query-frontend.results-cache.inmemory.max-size-bytes</c>, 256 MiB).</summary>
    public long ResultsCacheMaxSizeBytes { get; set; } = 256L << 20;

    /// <summary>Memcached servers, <c>host:port</c> (<c>-query-frontend.results-cache.memcached.addresses</c>).</summary>
    public IReadOnlyList<string> MemcachedAddresses { get; set; } = [];

    /// <summary>Time limit of one memcached request; past it the request is a miss (<c>-query-frontend.results-cache.memcached.timeout</c>, 200ms).</summary>
    public TimeSpan MemcachedTimeout { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long memcached keeps an entry (<c>-query-frontend.results-cache-ttl</c>, Mimir's 7d).</summary>
    public TimeSpan ResultsCacheTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The part of a result newer than now minus this is never cached (<c>-query-frontend.max-cache-freshness</c>, 1m here; Mimir's default is 10m).</summary>
    public TimeSpan MaxCacheFreshness { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Caches requests whose start is not a multiple of their step too (<c>-query-frontend.cache-unaligned-requests</c>, off as in Mimir).</summary>
    public bool CacheUnalignedRequests { get; set; }

    /// <summary>Most queued sub-queries per tenant; more are refused with 429 (<c>-query-frontend.max-outstanding-requests-per-tenant</c>, 100).</summary>
    public int MaxOutstandingRequestsPerTenant { get; set; } = 100;

    /// <summary>How many sub-queries the frontend sends downstream at once, across tenants (<c>-query-frontend.max-downstream-concurrency</c>, 20 like <c>-querier.max-concurrent</c>).</summary>
    public int MaxDownstreamConcurrency { get; set; } = 20;

    /// <summary>Longest end − start of a query; zero is no limit (<c>-query-frontend.max-total-query-length</c>).</summary>
    public TimeSpan MaxTotalQueryLength { get; set; }

    /// <summary>The <see cref="ResultsCacheBackend"/> value of the in-process cache.</summary>
    public const string InMemoryBackend = "inmemory";

    /// <summary>The <see cref="ResultsCacheBackend"/> value of memcached.</summary>
    public const string MemcachedBackend = "memcached";

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending flag.</summary>
    public void Validate()
    {
        ValidateSharding();
        if (SplitQueriesByInterval < TimeSpan.Zero || SplitQueriesByInterval.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentException("-query-frontend.split-queries-by-interval must be zero or a positive whole number of milliseconds");
        }

        if (MaxQueryParallelism < 1)
        {
            throw new ArgumentException("-querier.max-query-parallelism must be at least 1");
        }

        if (MaxOutstandingRequestsPerTenant < 1)
        {
            throw new ArgumentException("-query-frontend.max-outstanding-requests-per-tenant must be at least 1");
        }

        if (MaxDownstreamConcurrency < 1)
        {
            throw new ArgumentException("-query-frontend.max-downstream-concurrency must be at least 1");
        }

        if (MaxTotalQueryLength < TimeSpan.Zero || MaxCacheFreshness < TimeSpan.Zero)
        {
            throw new ArgumentException("-query-frontend.max-total-query-length and -query-frontend.max-cache-freshness must not be negative");
        }

        if (CacheResults)
        {
            if (SplitQueriesByInterval == TimeSpan.Zero)
            {
                // Mimir's message: the cache key is the split window.
                throw new ArgumentException("-query-frontend.cache-results may only be enabled in conjunction with -query-frontend.split-queries-by-interval. Please set the latter");
            }

            if (ResultsCacheBackend is not (InMemoryBackend or MemcachedBackend))
            {
                throw new ArgumentException($"-query-frontend.results-cache.backend: unsupported backend \"{ResultsCacheBackend}\" (supported: {InMemoryBackend}, {MemcachedBackend})");
            }

            if (ResultsCacheBackend == MemcachedBackend && (MemcachedAddresses.Count == 0 || MemcachedAddresses.Any(a => a.LastIndexOf(':') <= 0 || !int.TryParse(a[(a.LastIndexOf(':') + 1)..], out _))))
            {
                throw new ArgumentException("-query-frontend.results-cache.memcached.addresses must list host:port addresses for the memcached backend");
            }

            if (MemcachedTimeout <= TimeSpan.Zero || ResultsCacheTtl <= TimeSpan.Zero)
            {
                throw new ArgumentException("-query-frontend.results-cache.memcached.timeout and -query-frontend.results-cache-ttl must be positive");
            }

            if (ResultsCacheMaxSizeBytes < 1)
            {
                throw new ArgumentException("-query-frontend.results-cache.inmemory.max-size-bytes must be positive");
            }
        }
    }
}
