namespace MetricsCluster.PromQL.Engine;

/// <summary>
/// Thrown deep inside evaluation (G15) and caught once, in <see cref="QueryEngine"/>, where it becomes a
/// <see cref="QueryError"/>. Message texts are Prometheus'.
/// </summary>
public sealed class PromQLException(QueryErrorType type, string message) : Exception(message)
{
    /// <summary>The API error type.</summary>
    public QueryErrorType Type { get; } = type;

    /// <summary>An execution error.</summary>
    public static PromQLException Execution(string message) => new(QueryErrorType.Execution, message);

    /// <summary>Prometheus' <c>ErrTooManySamples</c> text for query execution.</summary>
    public static PromQLException TooManySamples() =>
        new(QueryErrorType.Execution, "query processing would load too many samples into memory in query execution");
}
