using MetricsCluster.Core.Limits;

namespace MetricsCluster.Config;

/// <summary>The default per-tenant limits (G5); their flags keep Mimir's names, so they sit in three places of the help.</summary>
public sealed partial class ClusterConfig
{
    /// <summary>Default per-tenant limits.</summary>
    public Limits Limits { get; set; } = new();

    /// <summary>The per-tenant ingestion limits' flags, in help order.</summary>
    internal static readonly ConfigOption[] IngestionLimitFlags =
    [
        ConfigOption.Dbl("distributor.ingestion-rate-limit", "Per-tenant ingestion rate limit in samples per second.", c => c.Limits.IngestionRate, (c, v) => c.Limits = c.Limits with { IngestionRate = v }),
        ConfigOption.Int("distributor.ingestion-burst-size", "Per-tenant ingestion burst size in samples.", c => c.Limits.IngestionBurstSize, (c, v) => c.Limits = c.Limits with { IngestionBurstSize = v }),
        ConfigOption.Long("ingester.max-global-series-per-user", "Per-tenant in-memory series limit; 0 = unlimited.", c => c.Limits.MaxGlobalSeriesPerUser, (c, v) => c.Limits = c.Limits with { MaxGlobalSeriesPerUser = v }),
    ];

    /// <summary>The per-tenant validation limits' flags, in help order.</summary>
    internal static readonly ConfigOption[] ValidationLimitFlags =
    [
        ConfigOption.Int("validation.max-label-names-per-series", "Maximum labels per series.", c => c.Limits.MaxLabelNamesPerSeries, (c, v) => c.Limits = c.Limits with { MaxLabelNamesPerSeries = v }),
        ConfigOption.Int("validation.max-length-label-name", "Maximum label name length.", c => c.Limits.MaxLabelNameLength, (c, v) => c.Limits = c.Limits with { MaxLabelNameLength = v }),
        ConfigOption.Int("validation.max-length-label-value", "Maximum label value length (also the metric name).", c => c.Limits.MaxLabelValueLength, (c, v) => c.Limits = c.Limits with { MaxLabelValueLength = v }),
        ConfigOption.Int("validation.max-metadata-length", "Maximum metadata field length.", c => c.Limits.MaxMetadataLength, (c, v) => c.Limits = c.Limits with { MaxMetadataLength = v }),
        ConfigOption.Dur("validation.create-grace-period", "Reject samples further than this in the future.", c => c.Limits.CreationGracePeriod, (c, v) => c.Limits = c.Limits with { CreationGracePeriod = v }),
        ConfigOption.Dur("validation.past-grace-period", "Reject samples older than this; 0 = any age the head accepts.", c => c.Limits.PastGracePeriod, (c, v) => c.Limits = c.Limits with { PastGracePeriod = v }),
    ];

    /// <summary>The per-tenant block retention limits' flags, in help order.</summary>
    internal static readonly ConfigOption[] RetentionLimitFlags =
    [
        ConfigOption.Dur("compactor.blocks-retention-period", "Per-tenant default: delete blocks whose maxTime is older than this; 0 = keep forever.", c => c.Limits.CompactorBlocksRetentionPeriod, (c, v) => c.Limits = c.Limits with { CompactorBlocksRetentionPeriod = v }) with { YamlAliases = ["limits.compactor_blocks_retention_period"] },
        ConfigOption.Dur("compactor.partial-block-deletion-delay", "Per-tenant default: delete partial blocks (no meta.json) not written to for this long; 0 = never.", c => c.Limits.CompactorPartialBlockDeletionDelay, (c, v) => c.Limits = c.Limits with { CompactorPartialBlockDeletionDelay = v }) with { YamlAliases = ["limits.compactor_partial_block_deletion_delay"] },
    ];

    /// <summary>The per-tenant ruler limits' flags, in help order (Mimir's names; 0 = unlimited).</summary>
    internal static readonly ConfigOption[] RulerLimitFlags =
    [
        ConfigOption.Int("ruler.max-rule-groups-per-tenant", "Per-tenant default: most rule groups a tenant may have; 0 = unlimited.", c => c.Limits.RulerMaxRuleGroupsPerTenant, (c, v) => c.Limits = c.Limits with { RulerMaxRuleGroupsPerTenant = v }) with { YamlAliases = ["limits.ruler_max_rule_groups_per_tenant"] },
        ConfigOption.Int("ruler.max-rules-per-rule-group", "Per-tenant default: most rules one rule group may hold; 0 = unlimited.", c => c.Limits.RulerMaxRulesPerRuleGroup, (c, v) => c.Limits = c.Limits with { RulerMaxRulesPerRuleGroup = v }) with { YamlAliases = ["limits.ruler_max_rules_per_rule_group"] },
    ];
}
