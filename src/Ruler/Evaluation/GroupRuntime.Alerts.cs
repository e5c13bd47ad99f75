using MetricsCluster.Core;
using MetricsCluster.Ruler.Alerting;
using MetricsCluster.Ruler.Notifier;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Ruler.Evaluation;

/// <summary>Alert sending and <c>for</c>-state restoring of a group (Prometheus' <c>sendAlerts</c>, <c>RestoreForState</c>).</summary>
public sealed partial class GroupRuntime
{
    private void SendAlerts(AlertingRuleRuntime rule, long ts)
    {
        long resendMs = (long)_services.Options.ResendDelay.TotalMilliseconds;

        // A notification stays valid for four evaluations or resends: two failed evaluations or sends are tolerated.
        long deltaMs = Math.Max(resendMs, (long)Interval.TotalMilliseconds);
        var batch = new List<NotifierAlert>();
        foreach (var a in rule.Alerts)
        {
            if (!a.NeedsSending(ts, resendMs))
            {
                continue;
            }

            a.LastSentAtMs = ts;
            a.ValidUntilMs = ts + (4 * deltaMs);
            batch.Add(new NotifierAlert(
                Tenant,
                WithExternalLabels(a.Labels),
                a.Annotations,
                a.FiredAtMs,
                a.ResolvedAtMs != 0 ? a.ResolvedAtMs : a.ValidUntilMs,
                _services.Options.ExternalUrl + GeneratorLink.ForExpression(rule.Query)));
        }

        _services.Notifier.Send(batch);
    }

    // External labels never override the alert's own (Prometheus' notifier adds only the missing ones).
    private Labels WithExternalLabels(Labels labels)
    {
        var external = _services.Options.ExternalLabels;
        if (external.IsEmpty)
        {
            return labels;
        }

        var b = new LabelsBuilder(labels);
        foreach (var (name, value) in external.Pairs())
        {
            if (labels.Get(name).Length == 0)
            {
                b.Set(name, value);
            }
        }

        return b.Build();
    }

    /// <summary>
    /// Moves each held alert's active-since time as Prometheus' <c>RestoreForState</c> does, from the last
    /// <c>ALERTS_FOR_STATE</c> sample within <c>--ruler.for-outage-tolerance</c>: an alert pending before the outage
    /// keeps the pending time it had, and never fires sooner than <c>--ruler.for-grace-period</c> after the restore.
    /// </summary>
    private async Task RestoreForStateAsync(long tsMs, CancellationToken cancellationToken)
    {
        long graceMs = (long)_services.Options.ForGracePeriod.TotalMilliseconds;
        long mint = tsMs - (long)_services.Options.ForOutageTolerance.TotalMilliseconds;
        await using var querier = _services.Storage.Querier(Tenant, mint, tsMs);
        foreach (var rule in _rules.OfType<AlertingRuleRuntime>())
        {
            long holdMs = (long)rule.Rule.For.TotalMilliseconds;
            if (holdMs < graceMs)
            {
                // It would wait the grace period anyway: nothing to restore.
                rule.Restored = true;
                continue;
            }

            foreach (var alert in rule.Alerts)
            {
                try
                {
                    await RestoreAlertAsync(querier, rule, alert, tsMs, holdMs, graceMs, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _services.Log.LogError("ruler: failed to restore 'for' state of alert {Alert} of tenant {Tenant}: {Error}", rule.Rule.Alert, Tenant, e.Message);
                }
            }

            rule.Restored = true;
        }
    }

    private static async Task RestoreAlertAsync(
        Core.Storage.IQuerier querier, AlertingRuleRuntime rule, Alert alert, long tsMs, long holdMs, long graceMs, CancellationToken cancellationToken)
    {
        var series = rule.ForStateLabels(alert);
        var matchers = series.Pairs().Select(p => Matcher.Eq(p.Key, p.Value)).ToArray();
        long t = 0;
        double v = double.NaN;
        bool found = false;
        await foreach (var s in querier.SelectAsync(false, null, matchers, cancellationToken).ConfigureAwait(false))
        {
            if (s.Labels != series)
            {
                continue;
            }

            var it = s.Iterator(null);
            while (it.Next())
            {
                (t, v, found) = (it.T, it.V, true);
            }
        }

        if (!found || StaleMarker.Is(v))
        {
            return;
        }

        long downAt = t / 1000 * 1000;
        long activeAt = (long)v * 1000;
        long remaining = holdMs - (downAt - activeAt);
        alert.ActiveAtMs = remaining switch
        {
            // It was firing when the evaluation stopped: its old active-since time makes the next evaluation fire it.
            <= 0 => activeAt,

            // Less than the grace period left: it fires one grace period after the restore.
            _ when remaining < graceMs => tsMs + graceMs - holdMs,

            // Otherwise the outage does not count as pending time.
            _ => activeAt + (tsMs - downAt),
        };
    }
}
