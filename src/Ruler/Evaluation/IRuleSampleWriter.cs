using MetricsCluster.Core;

namespace MetricsCluster.Ruler.Evaluation;

/// <summary>One sample a rule writes: a recorded series, <c>ALERTS</c>, <c>ALERTS_FOR_STATE</c> or a stale marker.</summary>
/// <param name="Labels">The series.</param>
/// <param name="TimestampMs">The evaluation timestamp (ms).</param>
/// <param name="Value">The value (a stale marker is Prometheus' StaleNaN).</param>
public readonly record struct RuleSample(Labels Labels, long TimestampMs, double Value);

/// <summary>
/// Where rule output goes (G3: declared by the consumer). The host binds it to the distributor's push path, so rule
/// output is validated, limited and replicated like any remote write.
/// </summary>
public interface IRuleSampleWriter
{
    /// <summary>Writes <paramref name="samples"/> for <paramref name="tenant"/>; throws <see cref="RuleWriteException"/> when refused.</summary>
    Task WriteAsync(string tenant, IReadOnlyList<RuleSample> samples, CancellationToken cancellationToken);
}

/// <summary>A refused write of rule output: the push path's status and message.</summary>
public sealed class RuleWriteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RuleWriteException(int status, string message)
        : base(message)
    {
        Status = status;
    }

    /// <summary>Creates the exception.</summary>
    public RuleWriteException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RuleWriteException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RuleWriteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status the push path answered (4xx: the data was refused; 5xx: it may be retried).</summary>
    public int Status { get; }
}
