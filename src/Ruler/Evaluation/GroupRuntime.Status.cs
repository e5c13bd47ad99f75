using MetricsCluster.Core;
using MetricsCluster.Ruler.Alerting;

namespace MetricsCluster.Ruler.Evaluation;

/// <summary>The group as the rules API shows it.</summary>
public sealed partial class GroupRuntime
{
    /// <summary>The group's current state; safe to call during an evaluation.</summary>
    public GroupStatus Status() => new(
        Definition.Group.Name,
        Definition.Namespace,
        Interval.TotalSeconds,
        Definition.Group.Limit,
        EvaluationTime.TotalSeconds,
        LastEvaluation,
        _rules.Select(RuleStatusOf).ToArray());

    /// <summary>The status of a group not evaluated here yet: its definition, health unknown.</summary>
    public static GroupStatus NotEvaluated(Ruler.RuleFiles.TenantRuleGroup definition, RulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
        var g = definition.Group;
        return new GroupStatus(
            g.Name,
            definition.Namespace,
            (g.Interval ?? options.EvaluationInterval).TotalSeconds,
            g.Limit,
            0,
            null,
            g.Rules.Select(r => new RuleStatus(
                r.IsAlert ? "alerting" : "recording",
                r.Name,
                PrintedOrRaw(r.Expr),
                r.For.TotalSeconds,
                r.KeepFiringFor.TotalSeconds,
                r.Labels,
                r.Annotations,
                AlertState.Inactive.Name(),
                [],
                RuleHealth.Unknown,
                null,
                0,
                null)).ToArray());
    }

    private static string PrintedOrRaw(string expr)
    {
        try
        {
            return PromQL.Printer.FormatQuery(expr);
        }
        catch (PromQL.PromQLParseException)
        {
            return expr;
        }
    }

    private static RuleStatus RuleStatusOf(RuleRuntime rule)
    {
        var r = rule.Rule;
        var (state, alerts) = rule is AlertingRuleRuntime ar ? ar.Snapshot() : (AlertState.Inactive, []);
        return new RuleStatus(
            r.IsAlert ? "alerting" : "recording",
            r.Name,
            rule.Query,
            r.For.TotalSeconds,
            r.KeepFiringFor.TotalSeconds,
            r.Labels,
            r.Annotations,
            state.Name(),
            alerts.Where(a => a.ResolvedAtMs == 0)
                .Select(a => new AlertStatus(a.Labels.Pairs().ToArray(), a.Annotations, a.State.Name(), a.ActiveAtMs, a.KeepFiringSinceMs, GoFormat.FormatFloat(a.Value, 'e', -1)))
                .ToArray(),
            rule.Health,
            rule.LastError,
            rule.EvaluationDuration.TotalSeconds,
            rule.LastEvaluation);
    }
}
