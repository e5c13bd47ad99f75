using MetricsCluster.Core;

namespace MetricsCluster.Ruler.Alerting;

/// <summary>
/// One alert instance of an alerting rule (Prometheus' <c>rules.Alert</c>): its identity (labels), expanded
/// annotations, state and the instants the state machine and the notifier need. Times are Unix ms; 0 is "never".
/// </summary>
public sealed class Alert
{
    /// <summary>The alert's labels: the result series' without <c>__name__</c>, plus the rule's, plus <c>alertname</c>.</summary>
    public required Labels Labels { get; init; }

    /// <summary>The expanded annotations, sorted by name.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Annotations { get; set; }

    /// <summary>The state.</summary>
    public AlertState State { get; set; }

    /// <summary>The value of the result sample at the last evaluation.</summary>
    public double Value { get; set; }

    /// <summary>When the alert became active (the evaluation that first saw it, or the restored time).</summary>
    public long ActiveAtMs { get; set; }

    /// <summary>When it started firing.</summary>
    public long FiredAtMs { get; set; }

    /// <summary>When it was resolved.</summary>
    public long ResolvedAtMs { get; set; }

    /// <summary>When it was last sent to the Alertmanagers.</summary>
    public long LastSentAtMs { get; set; }

    /// <summary>Until when the last notification is valid (its <c>endsAt</c> while firing).</summary>
    public long ValidUntilMs { get; set; }

    /// <summary>Since when it keeps firing with its condition gone (<c>keep_firing_for</c>).</summary>
    public long KeepFiringSinceMs { get; set; }

    /// <summary>A copy, for readers outside the evaluation.</summary>
    public Alert Copy() => (Alert)MemberwiseClone();

    /// <summary>Whether it must be sent at <paramref name="nowMs"/> (Prometheus' <c>needsSending</c>).</summary>
    public bool NeedsSending(long nowMs, long resendDelayMs)
    {
        if (State == AlertState.Pending)
        {
            return false;
        }

        // Resolved since the last send: send the resolution at once.
        if (ResolvedAtMs > LastSentAtMs)
        {
            return true;
        }

        return LastSentAtMs + resendDelayMs < nowMs;
    }
}
