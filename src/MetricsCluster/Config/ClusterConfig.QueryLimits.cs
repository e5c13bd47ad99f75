namespace MetricsCluster.Config;

/// <summary>
/// The per-tenant query fetch limits' flags (Mimir's names; the values are defaults of <see cref="Limits"/>, which
/// <see cref="Core.Limits.IOverrides"/> may change per tenant). Enforced by the querier while it reads (docs/query-api.md).
/// </summary>
public sealed partial class ClusterConfig
{
    /// <summary>The per-tenant query limits' flags, in help order.</summary>
    internal static readonly ConfigOption[] QueryLimitFlags =
    [
        ConfigOption.Int("querier.max-fetched-series-per-query", "Per-tenant default: most unique series one query may fetch from ingesters and store-gateways; 0 = unlimited.", c => c.Limits.MaxFetchedSeriesPerQuery, (c, v) => c.Limits = c.Limits with { MaxFetchedSeriesPerQuery = v }) with { YamlAliases = ["limits.max_fetched_series_per_query"] },
        ConfigOption.Long("querier.max-fetched-chunk-bytes-per-query", "Per-tenant default: most encoded chunk bytes one query may fetch; 0 = unlimited.", c => c.Limits.MaxFetchedChunkBytesPerQuery, (c, v) => c.Limits = c.Limits with { MaxFetchedChunkBytesPerQuery = v }) with { YamlAliases = ["limits.max_fetched_chunk_bytes_per_query"] },
        ConfigOption.Int("querier.max-fetched-chunks-per-query", "Per-tenant default: most chunks one query may fetch; 0 = unlimited.", c => c.Limits.MaxFetchedChunksPerQuery, (c, v) => c.Limits = c.Limits with { MaxFetchedChunksPerQuery = v }) with { YamlAliases = ["limits.max_fetched_chunks_per_query"] },
    ];
}
