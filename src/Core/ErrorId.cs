namespace MetricsCluster.Core;

/// <summary>
/// Stable, user-facing error identifiers (G17). They appear in messages as <c>(err-mc-&lt;id&gt;)</c>
/// and, with '-' turned into '_', as the <c>reason</c> label of the discarded-samples metric. Never
/// rename or reuse one: operators alert and search on them. The names mirror Mimir's catalogue.
/// </summary>
public static class ErrorId
{
    /// <summary>Series has no <c>__name__</c>.</summary>
    public const string MissingMetricName = "missing-metric-name";

    /// <summary>Metric name is not valid.</summary>
    public const string MetricNameInvalid = "metric-name-invalid";

    /// <summary>Too many labels.</summary>
    public const string MaxLabelNamesPerSeries = "max-label-names-per-series";

    /// <summary>Label name is not valid.</summary>
    public const string LabelInvalid = "label-invalid";

    /// <summary>Label name too long.</summary>
    public const string LabelNameTooLong = "label-name-too-long";

    /// <summary>Label value too long.</summary>
    public const string LabelValueTooLong = "label-value-too-long";

    /// <summary>Same label name twice.</summary>
    public const string DuplicateLabelNames = "duplicate-label-names";

    /// <summary>Labels not sorted by name.</summary>
    public const string LabelsNotSorted = "labels-not-sorted";

    /// <summary>Label value is not valid UTF-8.</summary>
    public const string LabelValueInvalid = "label-value-invalid";

    /// <summary>Sample newer than now + creation grace period.</summary>
    public const string TooFarInFuture = "too-far-in-future";

    /// <summary>Sample older than the past grace period.</summary>
    public const string TooFarInPast = "too-far-in-past";

    /// <summary>Sample older than the head can take.</summary>
    public const string SampleTimestampTooOld = "sample-timestamp-too-old";

    /// <summary>Sample older than the series' newest.</summary>
    public const string SampleOutOfOrder = "sample-out-of-order";

    /// <summary>Same timestamp, other value.</summary>
    public const string SampleDuplicateTimestamp = "sample-duplicate-timestamp";

    /// <summary>Per-tenant in-memory series limit.</summary>
    public const string MaxSeriesPerUser = "max-series-per-user";

    /// <summary>Per-tenant ingestion rate limit.</summary>
    public const string TenantMaxIngestionRate = "tenant-max-ingestion-rate";

    /// <summary>Request body too large.</summary>
    public const string MaxWriteMessageSize = "distributor-max-write-message-size";

    /// <summary>Metadata without a metric name.</summary>
    public const string MetadataMissingMetricName = "metadata-missing-metric-name";

    /// <summary>Metadata metric name too long.</summary>
    public const string MetricNameTooLong = "metric-name-too-long";

    /// <summary>Metadata unit too long.</summary>
    public const string UnitTooLong = "unit-too-long";

    /// <summary>Tenant id breaks Mimir's rules (characters, length, "." or "..", reserved names).</summary>
    public const string TenantIdInvalid = "tenant-id-invalid";

    /// <summary>The ingester cannot write the tenant's WAL (e.g. a full disk); retryable, nothing was acknowledged.</summary>
    public const string IngesterWalWriteFailing = "ingester-wal-write-failing";

    /// <summary>The tenant's TSDB on this ingester could not be opened and was quarantined; its data is left in place.</summary>
    public const string IngesterTenantQuarantined = "ingester-tenant-quarantined";

    /// <summary>The distributor has too many push requests in flight (a per-instance limit, 5xx).</summary>
    public const string DistributorMaxInflightPushRequests = "distributor-max-inflight-push-requests";

    /// <summary>The distributor's push requests in flight hold too many bytes (a per-instance limit, 5xx).</summary>
    public const string DistributorMaxInflightPushRequestsBytes = "distributor-max-inflight-push-requests-bytes";

    /// <summary>The ingester has too many push requests in flight (a per-instance limit, 5xx).</summary>
    public const string IngesterMaxInflightPushRequests = "ingester-max-inflight-push-requests";

    /// <summary>The ingester holds as many tenants as it may; a new one is refused (a per-instance limit, 5xx).</summary>
    public const string IngesterMaxTenants = "ingester-max-tenants";

    /// <summary>A range query's end − start is longer than the tenant may ask (query-frontend, 400).</summary>
    public const string MaxTotalQueryLength = "max-total-query-length";

    /// <summary>A query fetched more unique series than the tenant may (querier, 422).</summary>
    public const string MaxSeriesPerQuery = "max-series-per-query";

    /// <summary>A query fetched more chunk bytes than the tenant may (querier, 422).</summary>
    public const string MaxChunkBytesPerQuery = "max-chunks-bytes-per-query";

    /// <summary>A query fetched more chunks than the tenant may (querier, 422).</summary>
    public const string MaxChunksPerQuery = "max-chunks-per-query";

    /// <summary>Formats <c>"(err-mc-&lt;id&gt;)"</c>.</summary>
    public static string Tag(string id) => "(err-mc-" + id + ")";

    /// <summary>The metric reason label value for an id.</summary>
    public static string Reason(string id) => id.Replace('-', '_');

    /// <summary>
    /// Mimir's message for a per-instance limit: <c>"&lt;what&gt; (err-mc-&lt;id&gt;). To adjust the related limit, configure
    /// -&lt;flag&gt;, or contact your service administrator."</c>
    /// </summary>
    public static string InstanceLimit(string message, string id, string flag) =>
        $"{message} {Tag(id)}. To adjust the related limit, configure -{flag}, or contact your service administrator.";

    /// <summary>The standard suffix telling which limit to change.</summary>
    public static string AdjustLimit(string flag) =>
        $". To adjust the related per-tenant limit, configure -{flag}, or contact your service administrator.";
}
