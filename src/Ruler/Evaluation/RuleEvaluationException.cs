namespace MetricsCluster.Ruler.Evaluation;

/// <summary>A rule's evaluation failed after its query (Prometheus' message: duplicate label sets, limit exceeded).</summary>
public sealed class RuleEvaluationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RuleEvaluationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RuleEvaluationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RuleEvaluationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
