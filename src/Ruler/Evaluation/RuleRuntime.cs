using MetricsCluster.PromQL;
using MetricsCluster.Ruler.RuleFiles;

namespace MetricsCluster.Ruler.Evaluation;

/// <summary>
/// One rule while its group runs: the definition plus what the rules API shows of its last evaluation. Subclasses
/// evaluate (recording or alerting); the group calls them in order at each slot, on one thread at a time.
/// </summary>
public abstract class RuleRuntime
{
    /// <summary>Creates the runtime of <paramref name="rule"/>.</summary>
    protected RuleRuntime(Rule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        Rule = rule;

        // The rules API shows the expression as PromQL's printer writes it (Prometheus: rule.Query().String()).
        Query = Printer.FormatQuery(rule.Expr);
    }

    /// <summary>The definition.</summary>
    public Rule Rule { get; }

    /// <summary>The expression, printed.</summary>
    public string Query { get; }

    /// <summary>The last evaluation's health.</summary>
    public string Health { get; private set; } = RuleHealth.Unknown;

    /// <summary>The last evaluation's error, or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>How long the last evaluation took.</summary>
    public TimeSpan EvaluationDuration { get; set; }

    /// <summary>When the last evaluation started (wall clock), or null.</summary>
    public DateTimeOffset? LastEvaluation { get; set; }

    /// <summary>Records a successful evaluation.</summary>
    public void SetGood()
    {
        Health = RuleHealth.Good;
        LastError = null;
    }

    /// <summary>Records a failed evaluation.</summary>
    public void SetBad(string error)
    {
        Health = RuleHealth.Bad;
        LastError = error;
    }
}
