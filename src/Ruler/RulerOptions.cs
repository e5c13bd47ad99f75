using MetricsCluster.Core;

namespace MetricsCluster.Ruler;

/// <summary>The ruler's settings (Mimir's flags, <c>--ruler.*</c>; docs/ruler.md).</summary>
public sealed record RulerOptions
{
    /// <summary>Interval of groups that set none (<c>--ruler.evaluation-interval</c>, 1m).</summary>
    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often rule groups are re-read from storage and handed to their owners (<c>--ruler.poll-interval</c>).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Query offset of groups that set none (<c>--ruler.evaluation-delay-duration</c>; 0 evaluates at the slot as Prometheus).</summary>
    public TimeSpan EvaluationDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Alertmanager URLs (<c>--ruler.alertmanager-url</c>, comma-separated; basic auth in the URL); none: alerts are not sent.</summary>
    public IReadOnlyList<Uri> AlertmanagerUrls { get; init; } = [];

    /// <summary>The URL alerts link back to (<c>--ruler.external.url</c>): their generatorURL and templates' <c>$externalURL</c>.</summary>
    public string ExternalUrl { get; init; } = string.Empty;

    /// <summary>Labels added to alerts sent and to templates' <c>$externalLabels</c> (<c>--ruler.external-labels</c>).</summary>
    public Labels ExternalLabels { get; init; } = Labels.Empty;

    /// <summary>Minimum time between sends of a still-firing alert (<c>--ruler.resend-delay</c>, 1m).</summary>
    public TimeSpan ResendDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest outage after which pending state is still restored (<c>--ruler.for-outage-tolerance</c>, 1h).</summary>
    public TimeSpan ForOutageTolerance { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Least time an alert waits after a restore before firing (<c>--ruler.for-grace-period</c>, 2m).</summary>
    public TimeSpan ForGracePeriod { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Capacity of the notification queue (<c>--ruler.notification-queue-capacity</c>, 10000); overflow drops the oldest.</summary>
    public int NotificationQueueCapacity { get; init; } = 10000;

    /// <summary>Timeout of one send to an Alertmanager (<c>--ruler.notification-timeout</c>, 10s).</summary>
    public TimeSpan NotificationTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
