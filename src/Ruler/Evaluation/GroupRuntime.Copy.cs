using MetricsCluster.Ruler.Alerting;
using MetricsCluster.Ruler.RuleFiles;

namespace MetricsCluster.Ruler.Evaluation;

/// <summary>Carrying state over when a group's definition changes (Prometheus' <c>Group.CopyState</c>).</summary>
public sealed partial class GroupRuntime
{
    /// <summary>
    /// A runtime of the new definition that continues <paramref name="old"/>: each rule that is still there (same kind,
    /// name and labels) keeps its previous series (for stale markers) and its alerts; series of rules that are gone are
    /// marked stale at the next evaluation; no second restore.
    /// </summary>
    public static GroupRuntime Replacing(GroupRuntime old, TenantRuleGroup definition, string fingerprint, RuleGroupServices services)
    {
        ArgumentNullException.ThrowIfNull(old);
        var next = new GroupRuntime(definition, fingerprint, services)
        {
            _shouldRestore = old._shouldRestore,
            _evaluations = old._evaluations,
        };
        var used = new bool[old._rules.Length];
        for (int i = 0; i < next._rules.Length; i++)
        {
            int j = FirstUnused(old._rules, used, next._rules[i].Rule);
            if (j < 0)
            {
                continue;
            }

            used[j] = true;
            next._previous[i] = old._previous[j];
            if (old._rules[j] is AlertingRuleRuntime from && next._rules[i] is AlertingRuleRuntime to)
            {
                to.TakeStateFrom(from);
            }
        }

        // Series of removed rules: the new runtime marks them stale through a rule slot of its own.
        var orphans = old._previous.Where((p, j) => !used[j] && p is not null).SelectMany(p => p!).ToHashSet();
        next._orphans = orphans.Count > 0 ? orphans : null;
        return next;
    }

    private static int FirstUnused(RuleRuntime[] rules, bool[] used, Rule rule)
    {
        for (int k = 0; k < rules.Length; k++)
        {
            if (!used[k] && SameIdentity(rules[k].Rule, rule))
            {
                return k;
            }
        }

        return -1;
    }

    private static bool SameIdentity(Rule a, Rule b) =>
        a.IsAlert == b.IsAlert && a.Name == b.Name && a.Labels.SequenceEqual(b.Labels);
}
