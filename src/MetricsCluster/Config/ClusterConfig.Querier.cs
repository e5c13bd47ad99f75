using MetricsCluster.PromQL.Engine;
using MetricsCluster.Querier;

namespace MetricsCluster.Config;

/// <summary>The querier's settings: the ingester/store split and the PromQL engine's limits (G5).</summary>
public sealed partial class ClusterConfig
{
    /// <summary>Ingesters are queried only for the last this-long; 0 = always (<c>--querier.query-ingesters-within</c>).</summary>
    public TimeSpan QuerierQueryIngestersWithin { get; set; } = TimeSpan.FromHours(13);

    /// <summary>The store-gateway is queried only for data older than this; 0 = always (<c>--querier.query-store-after</c>).</summary>
    public TimeSpan QuerierQueryStoreAfter { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Per-query time limit (<c>--querier.timeout</c>).</summary>
    public TimeSpan QuerierTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most samples one query may hold in memory (<c>--querier.max-samples</c>).</summary>
    public int QuerierMaxSamples { get; set; } = 50_000_000;

    /// <summary>Most queries evaluated at once; more wait (<c>--querier.max-concurrent</c>).</summary>
    public int QuerierMaxConcurrent { get; set; } = 20;

    /// <summary>How far back an instant selector looks for a sample (<c>--querier.lookback-delta</c>).</summary>
    public TimeSpan QuerierLookbackDelta { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The PromQL engine options derived from this config.</summary>
    public EngineOptions EngineOptions() => new()
    {
        Timeout = QuerierTimeout,
        MaxSamples = QuerierMaxSamples,
        MaxConcurrent = QuerierMaxConcurrent,
        LookbackDelta = QuerierLookbackDelta,
    };

    /// <summary>The querier's ingester/store split derived from this config.</summary>
    public MergeQueryableOptions MergeQueryableOptions() => new()
    {
        QueryIngestersWithin = QuerierQueryIngestersWithin,
        QueryStoreAfter = QuerierQueryStoreAfter,
    };

    /// <summary>The querier's flags, in help order.</summary>
    internal static readonly ConfigOption[] QuerierFlags =
    [
        ConfigOption.Dur("querier.query-ingesters-within", "Query ingesters only for the most recent this-long of a query; 0 = always.", c => c.QuerierQueryIngestersWithin, (c, v) => c.QuerierQueryIngestersWithin = v),
        ConfigOption.Dur("querier.query-store-after", "Query the store-gateway only for data older than this; 0 = always. Must be less than query-ingesters-within.", c => c.QuerierQueryStoreAfter, (c, v) => c.QuerierQueryStoreAfter = v),
        ConfigOption.Dur("querier.timeout", "Per-query time limit; a request's timeout parameter can only shorten it.", c => c.QuerierTimeout, (c, v) => c.QuerierTimeout = v),
        ConfigOption.Int("querier.max-samples", "Most samples a single query may load into memory.", c => c.QuerierMaxSamples, (c, v) => c.QuerierMaxSamples = v),
        ConfigOption.Int("querier.max-concurrent", "Most queries evaluated at once; more wait in a queue.", c => c.QuerierMaxConcurrent, (c, v) => c.QuerierMaxConcurrent = v),
        ConfigOption.Dur("querier.lookback-delta", "How far back an instant selector looks for the latest sample.", c => c.QuerierLookbackDelta, (c, v) => c.QuerierLookbackDelta = v),
    ];
}
