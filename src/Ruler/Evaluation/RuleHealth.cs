namespace MetricsCluster.Ruler.Evaluation;

/// <summary>A rule's health as the rules API reports it (Prometheus' <c>rules.RuleHealth</c>).</summary>
public static class RuleHealth
{
    /// <summary>Not evaluated yet.</summary>
    public const string Unknown = "unknown";

    /// <summary>The last evaluation succeeded.</summary>
    public const string Good = "ok";

    /// <summary>The last evaluation failed (see its last error).</summary>
    public const string Bad = "err";
}
