namespace MetricsCluster.Core.Limits;

/// <summary>
/// Per-tenant limits with Mimir's names and defaults (reference/mimir-reference.md §2.3). The defaults
/// apply to every tenant; <see cref="IOverrides"/> may return other values for a tenant.
/// </summary>
public sealed record Limits
{
    /// <summary>Samples/s per tenant (<c>-distributor.ingestion-rate-limit</c>).</summary>
    public double IngestionRate { get; init; } = 10000;

    /// <summary>Token-bucket size (<c>-distributor.ingestion-burst-size</c>).</summary>
    public int IngestionBurstSize { get; init; } = 200000;

    /// <summary>In-memory series per tenant across the cluster; 0 = unlimited (<c>-ingester.max-global-series-per-user</c>).</summary>
    public long MaxGlobalSeriesPerUser { get; init; } = 150000;

    /// <summary>Labels per series (<c>-validation.max-label-names-per-series</c>).</summary>
    public int MaxLabelNamesPerSeries { get; init; } = 30;

    /// <summary>Label name length (<c>-validation.max-length-label-name</c>).</summary>
    public int MaxLabelNameLength { get; init; } = 1024;

    /// <summary>Label value length, also for the metric name (<c>-validation.max-length-label-value</c>).</summary>
    public int MaxLabelValueLength { get; init; } = 2048;

    /// <summary>Metadata field length (<c>-validation.max-metadata-length</c>).</summary>
    public int MaxMetadataLength { get; init; } = 1024;

    /// <summary>How far into the future a sample may be (<c>-validation.create-grace-period</c>).</summary>
    public TimeSpan CreationGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How far into the past a sample may be; zero = any age the head can take (<c>-validation.past-grace-period</c>).</summary>
    public TimeSpan PastGracePeriod { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// The compactor marks a block for deletion once its maxTime is older than this; zero = keep forever, Mimir's
    /// default (<c>-compactor.blocks-retention-period</c>, YAML <c>compactor_blocks_retention_period</c>).
    /// </summary>
    public TimeSpan CompactorBlocksRetentionPeriod { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// A partial block (no meta.json) whose newest object is older than this is marked for deletion; zero disables
    /// (<c>-compactor.partial-block-deletion-delay</c>, YAML <c>compactor_partial_block_deletion_delay</c>; Mimir's default 1d).
    /// </summary>
    public TimeSpan CompactorPartialBlockDeletionDelay { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Rule groups a tenant may have across its namespaces; 0 = unlimited (<c>-ruler.max-rule-groups-per-tenant</c>,
    /// YAML <c>ruler_max_rule_groups_per_tenant</c>; Mimir's default 70).
    /// </summary>
    public int RulerMaxRuleGroupsPerTenant { get; init; } = 70;

    /// <summary>
    /// Rules one rule group may hold; 0 = unlimited (<c>-ruler.max-rules-per-rule-group</c>, YAML
    /// <c>ruler_max_rules_per_rule_group</c>; Mimir's default 20).
    /// </summary>
    public int RulerMaxRulesPerRuleGroup { get; init; } = 20;

    /// <summary>
    /// Unique series one query may fetch from ingesters and store-gateways; 0 = unlimited
    /// (<c>-querier.max-fetched-series-per-query</c>, YAML <c>max_fetched_series_per_query</c>; Mimir's default 0).
    /// </summary>
    public int MaxFetchedSeriesPerQuery { get; init; }

    /// <summary>
    /// Encoded chunk bytes one query may fetch; 0 = unlimited (<c>-querier.max-fetched-chunk-bytes-per-query</c>,
    /// YAML <c>max_fetched_chunk_bytes_per_query</c>; Mimir's default 0).
    /// </summary>
    public long MaxFetchedChunkBytesPerQuery { get; init; }

    /// <summary>
    /// Chunks one query may fetch; 0 = unlimited (<c>-querier.max-fetched-chunks-per-query</c>, YAML
    /// <c>max_fetched_chunks_per_query</c>; Mimir's default 2,000,000).
    /// </summary>
    public int MaxFetchedChunksPerQuery { get; init; } = 2_000_000;

    /// <summary>Throws when a value is out of range, naming its flag.</summary>
    public void Validate()
    {
        Check(IngestionRate >= 0 && double.IsFinite(IngestionRate), "distributor.ingestion-rate-limit must be a finite number >= 0");
        Check(IngestionBurstSize >= 0, "distributor.ingestion-burst-size must be >= 0");
        Check(MaxGlobalSeriesPerUser >= 0, "ingester.max-global-series-per-user must be >= 0");
        Check(MaxLabelNamesPerSeries > 0, "validation.max-label-names-per-series must be > 0");
        Check(MaxLabelNameLength > 0, "validation.max-length-label-name must be > 0");
        Check(MaxLabelValueLength > 0, "validation.max-length-label-value must be > 0");
        Check(MaxMetadataLength > 0, "validation.max-metadata-length must be > 0");
        Check(CreationGracePeriod >= TimeSpan.Zero, "validation.create-grace-period must be >= 0");
        Check(PastGracePeriod >= TimeSpan.Zero, "validation.past-grace-period must be >= 0");
        Check(CompactorBlocksRetentionPeriod >= TimeSpan.Zero, "compactor_blocks_retention_period (--compactor.blocks-retention-period) must be >= 0");
        Check(CompactorPartialBlockDeletionDelay >= TimeSpan.Zero, "compactor_partial_block_deletion_delay (--compactor.partial-block-deletion-delay) must be >= 0");
        Check(RulerMaxRuleGroupsPerTenant >= 0, "ruler_max_rule_groups_per_tenant (--ruler.max-rule-groups-per-tenant) must be >= 0");
        Check(MaxFetchedSeriesPerQuery >= 0, "max_fetched_series_per_query (--querier.max-fetched-series-per-query) must be >= 0");
        Check(MaxFetchedChunkBytesPerQuery >= 0, "max_fetched_chunk_bytes_per_query (--querier.max-fetched-chunk-bytes-per-query) must be >= 0");
        Check(MaxFetchedChunksPerQuery >= 0, "max_fetched_chunks_per_query (--querier.max-fetched-chunks-per-query) must be >= 0");
        Check(RulerMaxRulesPerRuleGroup >= 0, "ruler_max_rules_per_rule_group (--ruler.max-rules-per-rule-group) must be >= 0");
    }

    private static void Check(bool ok, string message)
    {
        if (!ok)
        {
            throw new ArgumentException(message);
        }
    }
}

/// <summary>The one source of per-tenant limits (G5).</summary>
public interface IOverrides
{
    /// <summary>The limits in force for <paramref name="tenant"/>.</summary>
    Limits For(string tenant);
}

/// <summary>Defaults for every tenant plus fixed per-tenant overrides.</summary>
public sealed class StaticOverrides : IOverrides
{
    private readonly Limits _defaults;
    private readonly IReadOnlyDictionary<string, Limits> _perTenant;

    /// <summary>Creates the service.</summary>
    public StaticOverrides(Limits defaults, IReadOnlyDictionary<string, Limits>? perTenant = null)
    {
        _defaults = defaults;
        _perTenant = perTenant ?? new Dictionary<string, Limits>();
    }

    /// <inheritdoc/>
    public Limits For(string tenant) => _perTenant.TryGetValue(tenant, out var l) ? l : _defaults;
}
