namespace MetricsCluster.PromQL.Engine;

/// <summary>Prometheus' API error types for queries.</summary>
public enum QueryErrorType
{
    /// <summary><c>bad_data</c> (400): the query or its parameters are invalid.</summary>
    BadData,

    /// <summary><c>execution</c> (422): evaluation failed (e.g. many-to-many matching, too many samples).</summary>
    Execution,

    /// <summary><c>timeout</c> (503): the query ran longer than the timeout.</summary>
    Timeout,

    /// <summary><c>canceled</c> (499): the client went away.</summary>
    Canceled,

    /// <summary><c>internal</c> (500): a bug or a storage failure.</summary>
    Internal,
}

/// <summary>A query failure as the API reports it.</summary>
/// <param name="Type">Error type.</param>
/// <param name="Message">Prometheus' message text.</param>
public sealed record QueryError(QueryErrorType Type, string Message)
{
    /// <summary>The API's <c>errorType</c> string.</summary>
    public string TypeName => Type switch
    {
        QueryErrorType.BadData => "bad_data",
        QueryErrorType.Execution => "execution",
        QueryErrorType.Timeout => "timeout",
        QueryErrorType.Canceled => "canceled",
        _ => "internal",
    };
}

/// <summary>The outcome of a query: a value or an error, plus annotations.</summary>
/// <param name="Value">The value; null when <paramref name="Error"/> is set.</param>
/// <param name="Error">The error, if any.</param>
/// <param name="Warnings">Warning annotations (Prometheus <c>warnings</c>).</param>
/// <param name="Infos">Info annotations (Prometheus <c>infos</c>).</param>
public sealed record QueryResult(QueryValue? Value, QueryError? Error, IReadOnlyList<string> Warnings, IReadOnlyList<string> Infos);
