using MetricsCluster.Core;
using MetricsCluster.Ruler.Evaluation;
using MetricsCluster.Ruler.RuleFiles;

namespace MetricsCluster.Ruler.Alerting;

/// <summary>
/// An alerting rule and its active alerts: Prometheus' <c>AlertingRule.Eval</c> state machine (pending, firing after
/// <c>for</c>, <c>keep_firing_for</c>, resolved alerts kept 15 minutes so the resolution is sent) and the
/// <c>ALERTS</c> / <c>ALERTS_FOR_STATE</c> series it writes once its state is restored.
/// </summary>
public sealed class AlertingRuleRuntime(Rule rule) : RuleRuntime(rule)
{
    /// <summary>How long a resolved alert is kept (and re-sent as resolved): Prometheus' <c>resolvedRetention</c>.</summary>
    public const long ResolvedRetentionMs = 15 * 60 * 1000;

    /// <summary>The metric of the alert series.</summary>
    public const string AlertsMetric = "ALERTS";

    /// <summary>The metric that keeps each alert's active-since time (seconds) for restoring after a restart.</summary>
    public const string AlertsForStateMetric = "ALERTS_FOR_STATE";

    // Evaluation mutates the alerts while the rules API may read them from another thread.
    private readonly Lock _sync = new();
    private Dictionary<Labels, Alert> _active = [];

    /// <summary>Whether the <c>for</c> state was restored; until then no alert series are written (as Prometheus).</summary>
    public bool Restored { get; set; }

    /// <summary>The alerts held: active ones and resolved ones still being reported. The evaluation's own view.</summary>
    public IReadOnlyCollection<Alert> Alerts => _active.Values;

    /// <summary>The rule's state (its alerts' highest) and copies of its alerts, safe to read during an evaluation.</summary>
    public (AlertState State, Alert[] Alerts) Snapshot()
    {
        lock (_sync)
        {
            var alerts = _active.Values.Select(a => a.Copy()).ToArray();
            return (alerts.Length == 0 ? AlertState.Inactive : alerts.Max(a => a.State), alerts);
        }
    }

    /// <summary>Evaluates the rule at <paramref name="timestampMs"/> from its query result; returns the series to write.</summary>
    /// <exception cref="RuleEvaluationException">Duplicate label sets after the rule's labels, or the limit exceeded.</exception>
    public async Task<IReadOnlyList<RuleSample>> EvalAsync(
        IReadOnlyList<RuleQuerySample> result, long timestampMs, int limit, AlertExpander expand, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(expand);
        string alertName = Rule.Alert!;
        var current = new Dictionary<Labels, Alert>(result.Count);
        foreach (var s in result)
        {
            var b = new LabelsBuilder(s.Labels).Delete("__name__");
            foreach (var (name, text) in Rule.Labels)
            {
                b.Set(name, await expand(alertName, text, s.Labels, s.Value, timestampMs, cancellationToken).ConfigureAwait(false));
            }

            b.Set("alertname", alertName);
            var annotations = new List<KeyValuePair<string, string>>(Rule.Annotations.Count);
            foreach (var (name, text) in Rule.Annotations)
            {
                annotations.Add(new(name, await expand(alertName, text, s.Labels, s.Value, timestampMs, cancellationToken).ConfigureAwait(false)));
            }

            var labels = b.Build();
            if (current.ContainsKey(labels))
            {
                throw new RuleEvaluationException("vector contains metrics with the same labelset after applying alert labels");
            }

            current[labels] = new Alert { Labels = labels, Annotations = annotations, ActiveAtMs = timestampMs, State = AlertState.Pending, Value = s.Value };
        }

        lock (_sync)
        {
            return Merge(current, timestampMs, limit);
        }
    }

    /// <summary>Takes over the alerts and restored flag of the same rule's previous runtime (the group changed).</summary>
    public void TakeStateFrom(AlertingRuleRuntime previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        lock (previous._sync)
        {
            _active = new Dictionary<Labels, Alert>(previous._active);
            Restored = previous.Restored;
        }
    }

    /// <summary>The labels of an alert's <c>ALERTS_FOR_STATE</c> series (used to restore it).</summary>
    public Labels ForStateLabels(Alert alert) => SeriesLabels(alert, AlertsForStateMetric, null);

    private List<RuleSample> Merge(Dictionary<Labels, Alert> current, long timestampMs, int limit)
    {
        foreach (var (labels, alert) in current)
        {
            // An alert already held keeps its state and active-since time; only value and annotations follow the query.
            if (_active.TryGetValue(labels, out var held) && held.State != AlertState.Inactive)
            {
                held.Value = alert.Value;
                held.Annotations = alert.Annotations;
                continue;
            }

            _active[labels] = alert;
        }

        return Advance(current, timestampMs, limit);
    }

    private List<RuleSample> Advance(Dictionary<Labels, Alert> current, long ts, int limit)
    {
        long holdMs = (long)Rule.For.TotalMilliseconds;
        long keepFiringMs = (long)Rule.KeepFiringFor.TotalMilliseconds;
        var output = new List<RuleSample>();
        int activePending = 0;
        foreach (var (labels, a) in _active.ToArray())
        {
            if (!current.ContainsKey(labels))
            {
                bool keepFiring = false;
                if (a.State == AlertState.Firing && keepFiringMs > 0)
                {
                    if (a.KeepFiringSinceMs == 0)
                    {
                        a.KeepFiringSinceMs = ts;
                    }

                    keepFiring = ts - a.KeepFiringSinceMs < keepFiringMs;
                }

                // A pending alert that went away is forgotten; a resolved one is kept a while to report the resolution.
                if (a.State == AlertState.Pending || (a.ResolvedAtMs != 0 && ts - a.ResolvedAtMs > ResolvedRetentionMs))
                {
                    _active.Remove(labels);
                }

                if (a.State != AlertState.Inactive && !keepFiring)
                {
                    a.State = AlertState.Inactive;
                    a.ResolvedAtMs = ts;
                }

                if (!keepFiring)
                {
                    continue;
                }
            }
            else
            {
                a.KeepFiringSinceMs = 0;
            }

            activePending++;
            if (a.State == AlertState.Pending && ts - a.ActiveAtMs >= holdMs)
            {
                a.State = AlertState.Firing;
                a.FiredAtMs = ts;
            }

            if (Restored)
            {
                output.Add(new RuleSample(SeriesLabels(a, AlertsMetric, a.State.Name()), ts, 1));
                output.Add(new RuleSample(SeriesLabels(a, AlertsForStateMetric, null), ts, Math.Floor(a.ActiveAtMs / 1000.0)));
            }
        }

        if (limit > 0 && activePending > limit)
        {
            _active = [];
            throw new RuleEvaluationException($"exceeded limit of {limit} with {activePending} alerts");
        }

        return output;
    }

    // Prometheus starts from the rule's (unexpanded) labels and lays the alert's over them, then the name and state.
    private Labels SeriesLabels(Alert alert, string metric, string? state)
    {
        var b = new LabelsBuilder();
        foreach (var (name, value) in Rule.Labels)
        {
            b.Set(name, value);
        }

        foreach (var (name, value) in alert.Labels.Pairs())
        {
            b.Set(name, value);
        }

        b.Set("__name__", metric).Set("alertname", Rule.Alert!);
        if (state is not null)
        {
            b.Set("alertstate", state);
        }

        return b.Build();
    }
}
