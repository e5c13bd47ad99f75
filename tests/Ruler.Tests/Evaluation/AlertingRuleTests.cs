using MetricsCluster.Core;
using MetricsCluster.Ruler.Alerting;
using MetricsCluster.Ruler.Evaluation;
using MetricsCluster.Ruler.RuleFiles;
using Xunit;

namespace MetricsCluster.Ruler.Tests.Evaluation;

public sealed class AlertingRuleTests
{
    private const long Minute = 60_000;
    private static readonly Labels Up = Labels.FromStrings("__name__", "up", "instance", "a", "job", "j");

    private static async Task<GroupRuntime> EvaluateAtAsync(GroupHarness h, GroupRuntime runtime, long t, double? value)
    {
        if (value is { } v)
        {
            h.Storage.Add(Up, t - 1000, v);
        }

        h.Time.Advance(TimeSpan.FromMilliseconds(Math.Max(0, t - h.Time.NowMs)));
        await runtime.EvaluateAsync(t, 0, CancellationToken.None);
        return runtime;
    }

    [Fact]
    public async Task Pending_then_firing_after_for_then_resolved_with_ALERTS_written_once_restored()
    {
        using var h = new GroupHarness();
        var rule = GroupHarness.Alert("Down", "up == 0", TimeSpan.FromMinutes(2), default, new KeyValuePair<string, string>("severity", "page"));
        var runtime = new GroupRuntime(GroupHarness.Group(rule), "f", h.Services);
        var alerting = (AlertingRuleRuntime)runtime.Rules[0];
        long t0 = 10_000_000;

        await EvaluateAtAsync(h, runtime, t0, 0);
        Assert.Equal(AlertState.Pending, alerting.Snapshot().State);
        Assert.Empty(h.Written); // not restored yet: no ALERTS (Prometheus writes none before the restore)

        await EvaluateAtAsync(h, runtime, t0 + Minute, 0); // second evaluation: the restore runs (nothing to restore)
        Assert.True(alerting.Restored);

        await EvaluateAtAsync(h, runtime, t0 + (2 * Minute), 0);
        Assert.Equal(AlertState.Firing, alerting.Snapshot().State);
        var alerts = h.WrittenAt(t0 + (2 * Minute), "ALERTS");
        var firing = Assert.Single(alerts);
        Assert.Equal(
            Labels.FromStrings("__name__", "ALERTS", "alertname", "Down", "alertstate", "firing", "instance", "a", "job", "j", "severity", "page"),
            firing.Labels);
        var forState = Assert.Single(h.WrittenAt(t0 + (2 * Minute), "ALERTS_FOR_STATE"));
        Assert.Equal(t0 / 1000, forState.Value);

        await EvaluateAtAsync(h, runtime, t0 + (3 * Minute), 1);
        var (state, held) = alerting.Snapshot();
        Assert.Equal(AlertState.Inactive, state);
        Assert.Equal(t0 + (3 * Minute), Assert.Single(held).ResolvedAtMs);

        // The ALERTS series went away: stale-marked.
        Assert.Contains(h.WrittenAt(t0 + (3 * Minute), "ALERTS"), s => StaleMarker.Is(s.Value));
    }

    [Fact]
    public async Task Keep_firing_for_holds_a_firing_alert_after_its_condition_clears()
    {
        using var h = new GroupHarness();
        var rule = GroupHarness.Alert("Down", "up == 0", TimeSpan.Zero, TimeSpan.FromMinutes(2));
        var runtime = new GroupRuntime(GroupHarness.Group(rule), "f", h.Services);
        var alerting = (AlertingRuleRuntime)runtime.Rules[0];
        long t0 = 10_000_000;
        await EvaluateAtAsync(h, runtime, t0, 0);
        Assert.Equal(AlertState.Firing, alerting.Snapshot().State);

        await EvaluateAtAsync(h, runtime, t0 + Minute, 1);
        var kept = Assert.Single(alerting.Snapshot().Alerts);
        Assert.Equal(AlertState.Firing, kept.State);
        Assert.Equal(t0 + Minute, kept.KeepFiringSinceMs);

        await EvaluateAtAsync(h, runtime, t0 + (3 * Minute), 1);
        Assert.Equal(AlertState.Inactive, alerting.Snapshot().State);
    }

    [Fact]
    public async Task Restore_keeps_the_pending_time_spent_before_an_outage()
    {
        using var h = new GroupHarness();
        var rule = GroupHarness.Alert("Down", "up == 0", TimeSpan.FromMinutes(5));
        long t0 = 10_000_000;

        // Before the outage: pending since t0, last ALERTS_FOR_STATE at t0+3m.
        var forState = Labels.FromStrings("__name__", "ALERTS_FOR_STATE", "alertname", "Down", "instance", "a", "job", "j");
        for (long t = t0; t <= t0 + (3 * Minute); t += Minute)
        {
            h.Storage.Add(forState, t, t0 / 1000);
        }

        // After a 10 minute outage, a new runtime (a restart or a moved group) evaluates twice, then restores.
        long restart = t0 + (13 * Minute);
        var runtime = new GroupRuntime(GroupHarness.Group(rule), "f", h.Services);
        await EvaluateAtAsync(h, runtime, restart, 0);
        await EvaluateAtAsync(h, runtime, restart + Minute, 0);
        var alert = Assert.Single(((AlertingRuleRuntime)runtime.Rules[0]).Snapshot().Alerts);

        // 3m were spent pending; 2m remain from the restore (at the second evaluation's wall clock).
        long restoredAt = restart + Minute;
        Assert.Equal(restoredAt - (3 * Minute), alert.ActiveAtMs);
        await EvaluateAtAsync(h, runtime, restoredAt + Minute, 0);
        Assert.Equal(AlertState.Pending, ((AlertingRuleRuntime)runtime.Rules[0]).Snapshot().State);
        await EvaluateAtAsync(h, runtime, restoredAt + (2 * Minute), 0);
        Assert.Equal(AlertState.Firing, ((AlertingRuleRuntime)runtime.Rules[0]).Snapshot().State);
    }

    [Fact]
    public async Task Restore_never_fires_sooner_than_the_grace_period()
    {
        using var h = new GroupHarness();
        var rule = GroupHarness.Alert("Down", "up == 0", TimeSpan.FromMinutes(5));
        long t0 = 10_000_000;
        var forState = Labels.FromStrings("__name__", "ALERTS_FOR_STATE", "alertname", "Down", "instance", "a", "job", "j");
        h.Storage.Add(forState, t0 + (4 * Minute), t0 / 1000); // 4m of 5m spent: 1m left, less than the 2m grace

        long restart = t0 + (6 * Minute);
        var runtime = new GroupRuntime(GroupHarness.Group(rule), "f", h.Services);
        await EvaluateAtAsync(h, runtime, restart, 0);
        await EvaluateAtAsync(h, runtime, restart + Minute, 0);
        var alert = Assert.Single(((AlertingRuleRuntime)runtime.Rules[0]).Snapshot().Alerts);
        Assert.Equal(restart + Minute + (2 * Minute) - (5 * Minute), alert.ActiveAtMs);
    }

    [Fact]
    public async Task Alerts_are_expanded_with_the_templates_and_sent_with_external_labels()
    {
        var options = new RulerOptions
        {
            ExternalUrl = "http://ruler.example",
            ExternalLabels = Labels.FromStrings("cluster", "eu", "job", "ignored"),
            AlertmanagerUrls = [new Uri("http://127.0.0.1:1")],
        };
        using var h = new GroupHarness(options, (name, text, labels, value, _, _) => Task.FromResult($"{name}:{text}:{labels.Get("instance")}:{value}"));
        var rule = new Rule(null, "Down", "up == 0", TimeSpan.Zero, TimeSpan.Zero, Rule.Sorted([new("severity", "page")]), Rule.Sorted([new("summary", "s")]));
        var runtime = new GroupRuntime(GroupHarness.Group(rule), "f", h.Services);
        await EvaluateAtAsync(h, runtime, 10_000_000, 0);
        var alert = Assert.Single(((AlertingRuleRuntime)runtime.Rules[0]).Snapshot().Alerts);
        Assert.Equal("Down:page:a:0", alert.Labels.Get("severity"));
        Assert.Equal("Down:s:a:0", Assert.Single(alert.Annotations).Value);
        Assert.Equal(10_000_000, alert.LastSentAtMs);
        Assert.Equal(10_000_000 + (4 * Minute), alert.ValidUntilMs);
        Assert.Equal(1, h.Registry.WriteText().Split('\n').Count(l => l.StartsWith("cortex_prometheus_notifications_queue_length 1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Restore_of_an_alert_that_was_firing_fires_it_at_the_next_evaluation()
    {
        using var h = new GroupHarness();
        var rule = GroupHarness.Alert("Down", "up == 0", TimeSpan.FromMinutes(5));
        long t0 = 10_000_000;
        var forState = Labels.FromStrings("__name__", "ALERTS_FOR_STATE", "alertname", "Down", "instance", "a", "job", "j");
        h.Storage.Add(forState, t0 + (8 * Minute), t0 / 1000); // firing since t0+5m when the outage began

        long restart = t0 + (9 * Minute);
        var runtime = new GroupRuntime(GroupHarness.Group(rule), "f", h.Services);
        await EvaluateAtAsync(h, runtime, restart, 0);
        await EvaluateAtAsync(h, runtime, restart + Minute, 0);
        Assert.Equal(t0, Assert.Single(((AlertingRuleRuntime)runtime.Rules[0]).Snapshot().Alerts).ActiveAtMs);
        await EvaluateAtAsync(h, runtime, restart + (2 * Minute), 0);
        Assert.Equal(AlertState.Firing, ((AlertingRuleRuntime)runtime.Rules[0]).Snapshot().State);
    }
}
