namespace MetricsCluster.QueryFrontend;

/// <summary>Query sharding settings (G5; Mimir's names and defaults, docs/query-frontend.md "Query sharding").</summary>
public sealed partial class QueryFrontendOptions
{
    /// <summary>Shards the shardable parts of range and instant queries (<c>-query-frontend.parallelize-shardable-queries</c>, off by default as in Mimir).</summary>
    public bool ParallelizeShardableQueries { get; set; }

    /// <summary>Shards per sharded part (<c>-query-frontend.query-sharding-total-shards</c>, 16); 0 or 1 turns sharding off.</summary>
    public int QueryShardingTotalShards { get; set; } = 16;

    /// <summary>
    /// Most sharded requests one query may make: shards × time splits × sharded parts; the shard count is lowered to
    /// fit, and a query that would be left with fewer than two shards is not sharded
    /// (<c>-query-frontend.query-sharding-max-sharded-queries</c>, 128; 0 = no cap).
    /// </summary>
    public int QueryShardingMaxShardedQueries { get; set; } = 128;

    /// <summary>Queries with a regex matcher longer than this (bytes) are not sharded (<c>-query-frontend.query-sharding-max-regexp-size-bytes</c>, 4096; 0 = no limit).</summary>
    public int QueryShardingMaxRegexpSizeBytes { get; set; } = 4096;

    /// <summary>Whether range queries are sharded at all.</summary>
    public bool ShardingEnabled => ParallelizeShardableQueries && QueryShardingTotalShards > 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending flag.</summary>
    public void ValidateSharding()
    {
        if (QueryShardingTotalShards < 0)
        {
            throw new ArgumentException("-query-frontend.query-sharding-total-shards must not be negative");
        }

        if (QueryShardingMaxShardedQueries < 0)
        {
            throw new ArgumentException("-query-frontend.query-sharding-max-sharded-queries must not be negative");
        }

        if (QueryShardingMaxRegexpSizeBytes < 0)
        {
            throw new ArgumentException("-query-frontend.query-sharding-max-regexp-size-bytes must not be negative");
        }
    }
}
