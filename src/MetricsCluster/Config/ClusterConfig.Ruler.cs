using MetricsCluster.Core;
using MetricsCluster.ObjectStore;
using MetricsCluster.Ruler;

namespace MetricsCluster.Config;

/// <summary>The ruler's settings and its rule storage (G5; Mimir's flag names, docs/ruler.md).</summary>
public sealed partial class ClusterConfig
{
    /// <summary><c>--ruler.evaluation-interval</c>.</summary>
    public TimeSpan RulerEvaluationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><c>--ruler.poll-interval</c>.</summary>
    public TimeSpan RulerPollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><c>--ruler.evaluation-delay-duration</c>.</summary>
    public TimeSpan RulerEvaluationDelay { get; set; } = TimeSpan.Zero;

    /// <summary><c>--ruler.alertmanager-url</c> (comma-separated).</summary>
    public string RulerAlertmanagerUrl { get; set; } = string.Empty;

    /// <summary><c>--ruler.external.url</c>.</summary>
    public string RulerExternalUrl { get; set; } = string.Empty;

    /// <summary><c>--ruler.external-labels</c> (<c>name=value,…</c>).</summary>
    public string RulerExternalLabels { get; set; } = string.Empty;

    /// <summary><c>--ruler.resend-delay</c>.</summary>
    public TimeSpan RulerResendDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><c>--ruler.for-outage-tolerance</c>.</summary>
    public TimeSpan RulerForOutageTolerance { get; set; } = TimeSpan.FromHours(1);

    /// <summary><c>--ruler.for-grace-period</c>.</summary>
    public TimeSpan RulerForGracePeriod { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary><c>--ruler.notification-queue-capacity</c>.</summary>
    public int RulerNotificationQueueCapacity { get; set; } = 10000;

    /// <summary><c>--ruler.notification-timeout</c>.</summary>
    public TimeSpan RulerNotificationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>--ruler-storage.backend</c>: filesystem or s3.</summary>
    public string RulerStorageBackend { get; set; } = "filesystem";

    /// <summary><c>--ruler-storage.filesystem.dir</c>; empty = <c>&lt;data.dir&gt;/ruler-storage</c>.</summary>
    public string RulerStorageFilesystemDir { get; set; } = string.Empty;

    /// <summary><c>--ruler-storage.local.directory</c>: read-only rule files per tenant; set, it replaces the backend.</summary>
    public string RulerStorageLocalDirectory { get; set; } = string.Empty;

    /// <summary>The ruler's options derived from this config.</summary>
    public RulerOptions RulerOptions() => new()
    {
        EvaluationInterval = RulerEvaluationInterval,
        PollInterval = RulerPollInterval,
        EvaluationDelay = RulerEvaluationDelay,
        AlertmanagerUrls = RulerAlertmanagerUrl.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseAlertmanagerUrl).ToArray(),
        ExternalUrl = RulerExternalUrl.TrimEnd('/'),
        ExternalLabels = ParseExternalLabels(RulerExternalLabels),
        ResendDelay = RulerResendDelay,
        ForOutageTolerance = RulerForOutageTolerance,
        ForGracePeriod = RulerForGracePeriod,
        NotificationQueueCapacity = RulerNotificationQueueCapacity,
        NotificationTimeout = RulerNotificationTimeout,
    };

    /// <summary>The rule storage bucket's settings.</summary>
    public BucketConfig RulerBucketConfig()
    {
        var c = new BucketConfig { Backend = RulerStorageBackend, S3Config = RulerStorageS3, FlagPrefix = "ruler-storage" };
        c.FilesystemConfig.Dir = RulerStorageFilesystemDir.Length > 0 ? RulerStorageFilesystemDir : Path.Combine(DataDir, "ruler-storage");
        return c;
    }

    /// <summary>The ruler's flags, in help order.</summary>
    internal static readonly ConfigOption[] RulerFlags =
    [
        ConfigOption.Dur("ruler.evaluation-interval", "Evaluation interval of rule groups that set none.", c => c.RulerEvaluationInterval, (c, v) => c.RulerEvaluationInterval = Positive("ruler.evaluation-interval", v)),
        ConfigOption.Dur("ruler.poll-interval", "How often rule groups are re-read from rule storage and handed to the rulers (a change through the config API is applied at once by the ruler that took it).", c => c.RulerPollInterval, (c, v) => c.RulerPollInterval = Positive("ruler.poll-interval", v)),
        ConfigOption.Dur("ruler.evaluation-delay-duration", "Query offset of groups that set no query_offset: rules evaluate this far in the past (0 = at the evaluation time, as Prometheus).", c => c.RulerEvaluationDelay, (c, v) => c.RulerEvaluationDelay = v),
        ConfigOption.Str("ruler.alertmanager-url", "Comma-separated Alertmanager URLs alerts are sent to (API v2); basic auth in the URL (http://user:pass@host:9093); empty = alerts are evaluated but not sent.", c => MaskUserInfo(c.RulerAlertmanagerUrl), (c, v) => c.RulerAlertmanagerUrl = v),
        ConfigOption.Str("ruler.external.url", "The URL alerts link back to (their generatorURL, templates' $externalURL).", c => c.RulerExternalUrl, (c, v) => c.RulerExternalUrl = v),
        ConfigOption.Str("ruler.external-labels", "Labels added to every alert sent (unless the alert has them) and given to templates as $externalLabels: name=value,...", c => c.RulerExternalLabels, (c, v) => c.RulerExternalLabels = v),
        ConfigOption.Dur("ruler.resend-delay", "Minimum time between two sends of a still-firing alert.", c => c.RulerResendDelay, (c, v) => c.RulerResendDelay = v),
        ConfigOption.Dur("ruler.for-outage-tolerance", "Longest ruler outage after which an alert's pending time is still restored from ALERTS_FOR_STATE.", c => c.RulerForOutageTolerance, (c, v) => c.RulerForOutageTolerance = v),
        ConfigOption.Dur("ruler.for-grace-period", "Least time a restored alert waits before firing, when its 'for' is at least this long.", c => c.RulerForGracePeriod, (c, v) => c.RulerForGracePeriod = v),
        ConfigOption.Int("ruler.notification-queue-capacity", "Alerts waiting to be sent; past it the oldest are dropped (counted).", c => c.RulerNotificationQueueCapacity, (c, v) => c.RulerNotificationQueueCapacity = v > 0 ? v : throw new ConfigException("ruler.notification-queue-capacity must be positive")),
        ConfigOption.Dur("ruler.notification-timeout", "Timeout of one send to an Alertmanager.", c => c.RulerNotificationTimeout, (c, v) => c.RulerNotificationTimeout = Positive("ruler.notification-timeout", v)),
        ConfigOption.Str("ruler-storage.backend", "Rule storage backend: filesystem or s3 (use a bucket of its own, not the blocks bucket).", c => c.RulerStorageBackend, (c, v) => c.RulerStorageBackend = v),
        ConfigOption.Str("ruler-storage.filesystem.dir", "Filesystem rule storage root; empty = <data.dir>/ruler-storage.", c => c.RulerStorageFilesystemDir, (c, v) => c.RulerStorageFilesystemDir = v),
        ConfigOption.Str("ruler-storage.local.directory", "Read-only Prometheus rule files, <dir>/<tenant>/<namespace>.yaml; set, it is the rule storage and the config API refuses writes.", c => c.RulerStorageLocalDirectory, (c, v) => c.RulerStorageLocalDirectory = v),
        .. S3Flags("ruler-storage", " of the rule storage", c => c.RulerStorageS3),
    ];

    private static TimeSpan Positive(string flag, TimeSpan v) => v > TimeSpan.Zero ? v : throw new ConfigException($"{flag} must be positive");

    private static Uri ParseAlertmanagerUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)
            ? u
            : throw new ConfigException($"invalid value \"{MaskUserInfo(url)}\" for ruler.alertmanager_url (--ruler.alertmanager-url): expected http(s) URLs");

    // Credentials never reach /config or the flags page.
    private static string MaskUserInfo(string urls) => string.Join(',', urls.Split(',').Select(u =>
        Uri.TryCreate(u.Trim(), UriKind.Absolute, out var x) && x.UserInfo.Length > 0 ? u.Replace(x.UserInfo + "@", "********@", StringComparison.Ordinal) : u));

    private static Labels ParseExternalLabels(string s)
    {
        var b = new LabelsBuilder();
        foreach (string pair in s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ConfigException($"invalid value \"{s}\" for ruler.external_labels (--ruler.external-labels): expected name=value,...");
            }

            b.Set(pair[..eq].Trim(), pair[(eq + 1)..].Trim());
        }

        return b.Build();
    }
}
