namespace MetricsCluster.Distributor;

/// <summary>
/// Flag names of the per-tenant limits the distributor enforces, for the messages that tell a
/// sender which setting to change (G17). The values live in <see cref="Core.Limits.Limits"/>.
/// </summary>
internal static class LimitFlags
{
    /// <summary>Flag of <see cref="Core.Limits.Limits.IngestionRate"/>.</summary>
    public const string IngestionRate = "distributor.ingestion-rate-limit";

    /// <summary>Flag of <see cref="Core.Limits.Limits.IngestionBurstSize"/>.</summary>
    public const string IngestionBurstSize = "distributor.ingestion-burst-size";

    /// <summary>Flag of <see cref="Core.Limits.Limits.MaxLabelNamesPerSeries"/>.</summary>
    public const string MaxLabelNamesPerSeries = "validation.max-label-names-per-series";

    /// <summary>Flag of <see cref="Core.Limits.Limits.MaxLabelNameLength"/>.</summary>
    public const string MaxLabelNameLength = "validation.max-length-label-name";

    /// <summary>Flag of <see cref="Core.Limits.Limits.MaxLabelValueLength"/>.</summary>
    public const string MaxLabelValueLength = "validation.max-length-label-value";

    /// <summary>Flag of <see cref="Core.Limits.Limits.MaxMetadataLength"/>.</summary>
    public const string MaxMetadataLength = "validation.max-metadata-length";

    /// <summary>Flag of <see cref="Core.Limits.Limits.CreationGracePeriod"/>.</summary>
    public const string CreationGracePeriod = "validation.create-grace-period";

    /// <summary>Flag of <see cref="Core.Limits.Limits.PastGracePeriod"/>.</summary>
    public const string PastGracePeriod = "validation.past-grace-period";
}
