using MetricsCluster.Core.Metrics;

namespace MetricsCluster.Ruler;

/// <summary>
/// The ruler's metrics, under Mimir's names (Prometheus' rule manager metrics with the <c>cortex_</c> prefix and a
/// <c>user</c> label): evaluations, failures, iterations and missed iterations per group, and the notifier's.
/// </summary>
public sealed class RulerMetrics(MetricsRegistry registry)
{
    /// <summary>Rule evaluations, by tenant and group (<c>namespace;group</c>).</summary>
    public CounterFamily Evaluations { get; } = registry.Counter("cortex_prometheus_rule_evaluations_total", "The total number of rule evaluations.", "user", "rule_group");

    /// <summary>Rule evaluations that failed.</summary>
    public CounterFamily EvaluationFailures { get; } = registry.Counter("cortex_prometheus_rule_evaluation_failures_total", "The total number of rule evaluation failures.", "user", "rule_group");

    /// <summary>Group evaluations run (scheduled and not missed).</summary>
    public CounterFamily Iterations { get; } = registry.Counter("cortex_prometheus_rule_group_iterations_total", "The total number of scheduled rule group evaluations, whether executed or missed.", "user", "rule_group");

    /// <summary>Group evaluation slots missed (the group was busy, or between owners).</summary>
    public CounterFamily IterationsMissed { get; } = registry.Counter("cortex_prometheus_rule_group_iterations_missed_total", "The total number of rule group evaluations missed due to slow rule group evaluation.", "user", "rule_group");

    /// <summary>Last evaluation's duration per group.</summary>
    public GaugeFamily LastDuration { get; } = registry.Gauge("cortex_prometheus_rule_group_last_duration_seconds", "The duration of the last rule group evaluation.", "user", "rule_group");

    /// <summary>Samples written by the last evaluation per group.</summary>
    public GaugeFamily GroupSamples { get; } = registry.Gauge("cortex_prometheus_rule_group_last_evaluation_samples", "The number of samples returned during the last rule group evaluation.", "user", "rule_group");

    /// <summary>Alerts sent, per tenant and Alertmanager.</summary>
    public CounterFamily NotificationsSent { get; } = registry.Counter("cortex_prometheus_notifications_sent_total", "Total number of alerts sent.", "user", "alertmanager");

    /// <summary>Alerts whose send failed, per tenant and Alertmanager.</summary>
    public CounterFamily NotificationErrors { get; } = registry.Counter("cortex_prometheus_notifications_errors_total", "Total number of errors sending alert notifications.", "user", "alertmanager");

    /// <summary>Alerts dropped: queue full, or no Alertmanager configured.</summary>
    public CounterFamily NotificationsDropped { get; } = registry.Counter("cortex_prometheus_notifications_dropped_total", "Total number of alerts dropped due to errors when sending to Alertmanager.", "user");

    /// <summary>Alerts waiting in the queue.</summary>
    public GaugeFamily QueueLength { get; } = registry.Gauge("cortex_prometheus_notifications_queue_length", "The number of alert notifications in the queue.");

    /// <summary>The group label value Mimir uses: namespace and group joined by ';'.</summary>
    public static string GroupLabel(string ns, string group) => ns + ";" + group;
}
