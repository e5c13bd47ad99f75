namespace MetricsCluster.Config;

/// <summary>The query-frontend's query sharding settings (G5; Mimir's flag names, docs/query-frontend.md "Query sharding").</summary>
public sealed partial class ClusterConfig
{
    /// <summary><c>--query-frontend.parallelize-shardable-queries</c>.</summary>
    public bool QueryFrontendParallelizeShardableQueries { get; set; }

    /// <summary><c>--query-frontend.query-sharding-total-shards</c>.</summary>
    public int QueryFrontendQueryShardingTotalShards { get; set; } = 16;

    /// <summary><c>--query-frontend.query-sharding-max-sharded-queries</c>.</summary>
    public int QueryFrontendQueryShardingMaxShardedQueries { get; set; } = 128;

    /// <summary><c>--query-frontend.query-sharding-max-regexp-size-bytes</c>.</summary>
    public int QueryFrontendQueryShardingMaxRegexpSizeBytes { get; set; } = 4096;

    /// <summary>The query sharding flags, in help order.</summary>
    internal static readonly ConfigOption[] QueryFrontendShardingFlags =
    [
        ConfigOption.Bool("query-frontend.parallelize-shardable-queries", "Shard the shardable parts of range and instant queries (sum, min, max, count, group, avg) by series and run the shards in parallel.", c => c.QueryFrontendParallelizeShardableQueries, (c, v) => c.QueryFrontendParallelizeShardableQueries = v),
        ConfigOption.Int("query-frontend.query-sharding-total-shards", "Shards per sharded part of a query; 0 or 1 = no sharding.", c => c.QueryFrontendQueryShardingTotalShards, (c, v) => c.QueryFrontendQueryShardingTotalShards = v),
        ConfigOption.Int("query-frontend.query-sharding-max-sharded-queries", "Most sharded requests of one query (shards x time splits x sharded parts); the shard count is lowered to fit. 0 = no cap.", c => c.QueryFrontendQueryShardingMaxShardedQueries, (c, v) => c.QueryFrontendQueryShardingMaxShardedQueries = v),
        ConfigOption.Int("query-frontend.query-sharding-max-regexp-size-bytes", "Queries with a regex matcher longer than this many bytes are not sharded; 0 = no limit.", c => c.QueryFrontendQueryShardingMaxRegexpSizeBytes, (c, v) => c.QueryFrontendQueryShardingMaxRegexpSizeBytes = v),
    ];

    /// <summary>Copies the sharding settings into <paramref name="options"/>.</summary>
    private MetricsCluster.QueryFrontend.QueryFrontendOptions WithSharding(MetricsCluster.QueryFrontend.QueryFrontendOptions options)
    {
        options.ParallelizeShardableQueries = QueryFrontendParallelizeShardableQueries;
        options.QueryShardingTotalShards = QueryFrontendQueryShardingTotalShards;
        options.QueryShardingMaxShardedQueries = QueryFrontendQueryShardingMaxShardedQueries;
        options.QueryShardingMaxRegexpSizeBytes = QueryFrontendQueryShardingMaxRegexpSizeBytes;
        return options;
    }
}
