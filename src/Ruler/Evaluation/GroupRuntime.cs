using System.Diagnostics;
using MetricsCluster.Core;
using MetricsCluster.Ruler.Alerting;
using MetricsCluster.Ruler.Notifier;
using MetricsCluster.Ruler.RuleFiles;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Ruler.Evaluation;

/// <summary>
/// One rule group while it runs in this process (Prometheus' <c>Group</c>): evaluates its rules in order at a slot,
/// writes their output with stale markers for series that went away, sends alerts, and restores the alerts'
/// <c>for</c> state from <c>ALERTS_FOR_STATE</c> after its second evaluation (as Prometheus: by then recording rules
/// the alerts depend on have run). Who calls it, and when, is the scheduler's business (a grain or the local loop).
/// </summary>
public sealed partial class GroupRuntime
{
    private readonly RuleGroupServices _services;
    private readonly RuleRuntime[] _rules;
    private readonly HashSet<Labels>?[] _previous;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _shouldRestore = true;
    private int _evaluations;

    // Series of rules removed by a definition change, marked stale at the next evaluation.
    private HashSet<Labels>? _orphans;

    /// <summary>Creates the runtime of <paramref name="definition"/>.</summary>
    public GroupRuntime(TenantRuleGroup definition, string fingerprint, RuleGroupServices services)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(services);
        Definition = definition;
        Fingerprint = fingerprint;
        _services = services;
        Interval = definition.Group.Interval ?? services.Options.EvaluationInterval;
        QueryOffset = definition.Group.QueryOffset ?? services.Options.EvaluationDelay;
        _rules = definition.Group.Rules.Select(r => r.IsAlert ? (RuleRuntime)new AlertingRuleRuntime(r) : new RecordingRuleRuntime(r)).ToArray();
        _previous = new HashSet<Labels>?[_rules.Length];
        GroupLabel = RulerMetrics.GroupLabel(definition.Namespace, definition.Group.Name);
    }

    /// <summary>The group.</summary>
    public TenantRuleGroup Definition { get; }

    /// <summary>The definition's fingerprint.</summary>
    public string Fingerprint { get; }

    /// <summary>The effective interval.</summary>
    public TimeSpan Interval { get; }

    /// <summary>The effective query offset.</summary>
    public TimeSpan QueryOffset { get; }

    /// <summary>The rules.</summary>
    public IReadOnlyList<RuleRuntime> Rules => _rules;

    /// <summary>How long the last evaluation took.</summary>
    public TimeSpan EvaluationTime { get; private set; }

    /// <summary>When the last evaluation started (wall clock).</summary>
    public DateTimeOffset? LastEvaluation { get; private set; }

    private string GroupLabel { get; }

    private string Tenant => Definition.Tenant;

    /// <summary>
    /// Evaluates every rule at <paramref name="slotMs"/> (minus the query offset); <paramref name="missed"/> slots before
    /// it were not evaluated. One evaluation at a time.
    /// </summary>
    public async Task EvaluateAsync(long slotMs, long missed, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var m = _services.Metrics;
            if (missed > 0)
            {
                m.IterationsMissed.WithLabels(Tenant, GroupLabel).Add(missed);
                m.Iterations.WithLabels(Tenant, GroupLabel).Add(missed);
            }

            m.Iterations.WithLabels(Tenant, GroupLabel).Inc();
            var started = _services.Time.GetUtcNow();
            long t0 = Stopwatch.GetTimestamp();
            long ts = slotMs - (long)QueryOffset.TotalMilliseconds;
            int samples = 0;
            await MarkOrphansStaleAsync(ts, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < _rules.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                samples += await EvaluateRuleAsync(i, ts, cancellationToken).ConfigureAwait(false);
            }

            EvaluationTime = Stopwatch.GetElapsedTime(t0);
            LastEvaluation = started;
            m.LastDuration.WithLabels(Tenant, GroupLabel).Set(EvaluationTime.TotalSeconds);
            m.GroupSamples.WithLabels(Tenant, GroupLabel).Set(samples);
            _evaluations++;
            if (_shouldRestore && _evaluations >= 2)
            {
                await RestoreForStateAsync(_services.Time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
                _shouldRestore = false;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task MarkOrphansStaleAsync(long ts, CancellationToken cancellationToken)
    {
        if (_orphans is not { } orphans)
        {
            return;
        }

        try
        {
            await _services.Writer.WriteAsync(Tenant, orphans.Select(l => new RuleSample(l, ts, StaleMarker.Value)).ToArray(), cancellationToken).ConfigureAwait(false);
            _orphans = null;
        }
        catch (RuleWriteException e)
        {
            _services.Log.LogWarning("ruler: stale markers of removed rules of group {Group} of tenant {Tenant} failed: {Error}", Definition.Group.Name, Tenant, e.Message);
        }
    }

    /// <summary>Marks every series this group wrote stale (the group was deleted or changed), at <paramref name="timestampMs"/>.</summary>
    public async Task MarkAllStaleAsync(long timestampMs, CancellationToken cancellationToken)
    {
        var stale = _previous.Where(p => p is not null).SelectMany(p => p!).Distinct()
            .Select(l => new RuleSample(l, timestampMs, StaleMarker.Value)).ToArray();
        if (stale.Length == 0)
        {
            return;
        }

        try
        {
            await _services.Writer.WriteAsync(Tenant, stale, cancellationToken).ConfigureAwait(false);
        }
        catch (RuleWriteException e)
        {
            _services.Log.LogWarning("ruler: stale markers of removed group {Group} of tenant {Tenant} failed: {Error}", Definition.Group.Name, Tenant, e.Message);
        }
    }

    private async Task<int> EvaluateRuleAsync(int i, long ts, CancellationToken cancellationToken)
    {
        var rule = _rules[i];
        var m = _services.Metrics;
        m.Evaluations.WithLabels(Tenant, GroupLabel).Inc();
        var started = _services.Time.GetUtcNow();
        long t0 = Stopwatch.GetTimestamp();
        try
        {
            IReadOnlyList<RuleSample> output;
            try
            {
                var result = await _services.Query.InstantAsync(Tenant, rule.Rule.Expr, ts, cancellationToken).ConfigureAwait(false);
                output = rule switch
                {
                    AlertingRuleRuntime alerting => await alerting.EvalAsync(result, ts, Definition.Group.Limit, _services.Expander(Tenant), cancellationToken).ConfigureAwait(false),
                    _ => RecordingRuleRuntime.Output(rule.Rule, result, ts, Definition.Group.Limit),
                };
            }
            catch (Exception e) when (e is RuleQueryException or RuleEvaluationException)
            {
                Fail(rule, i, e.Message);
                return 0;
            }

            rule.SetGood();
            if (rule is AlertingRuleRuntime ar)
            {
                SendAlerts(ar, ts);
            }

            return await WriteAsync(rule, i, output, ts, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            rule.EvaluationDuration = Stopwatch.GetElapsedTime(t0);
            rule.LastEvaluation = started;
        }
    }

    // The rule's output plus stale markers for the series of its previous evaluation that are gone.
    private async Task<int> WriteAsync(RuleRuntime rule, int i, IReadOnlyList<RuleSample> output, long ts, CancellationToken cancellationToken)
    {
        var returned = new HashSet<Labels>(output.Count);
        foreach (var s in output)
        {
            returned.Add(s.Labels);
        }

        var batch = new List<RuleSample>(output);
        if (_previous[i] is { } previous)
        {
            foreach (var l in previous)
            {
                if (!returned.Contains(l))
                {
                    batch.Add(new RuleSample(l, ts, StaleMarker.Value));
                }
            }
        }

        if (batch.Count > 0)
        {
            try
            {
                await _services.Writer.WriteAsync(Tenant, batch, cancellationToken).ConfigureAwait(false);
            }
            catch (RuleWriteException e)
            {
                // Like a failed commit in Prometheus: the rule is unhealthy and its previous series stay as they were.
                Fail(rule, i, e.Message);
                return 0;
            }
        }

        _previous[i] = returned;
        return output.Count;
    }

    private void Fail(RuleRuntime rule, int i, string error)
    {
        rule.SetBad(error);
        _services.Metrics.EvaluationFailures.WithLabels(Tenant, GroupLabel).Inc();
        _services.Log.LogWarning("ruler: tenant {Tenant} group {Group} rule {Index} {Name}: evaluating rule failed: {Error}", Tenant, Definition.Group.Name, i, rule.Rule.Name, error);
    }
}
