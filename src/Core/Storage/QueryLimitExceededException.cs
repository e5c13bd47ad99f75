namespace MetricsCluster.Core.Storage;

/// <summary>
/// A per-query fetch limit was exceeded (<see cref="QueryLimiter"/>). The query fails as Mimir's does: the PromQL
/// engine answers <c>execution</c> (422) with this message, which is Mimir's text with the error id and the flag
/// to change (G17).
/// </summary>
public sealed class QueryLimitExceededException : Exception
{
    /// <summary>Mimir's advice on how to stay under these limits.</summary>
    public const string CardinalityStrategy =
        "Consider reducing the time range and/or number of series selected by the query. One way to reduce the number of selected series is to add more label matchers to the query";

    /// <summary>The flag of the series limit.</summary>
    public const string MaxSeriesFlag = "querier.max-fetched-series-per-query";

    /// <summary>The flag of the chunk-bytes limit.</summary>
    public const string MaxChunkBytesFlag = "querier.max-fetched-chunk-bytes-per-query";

    /// <summary>The flag of the chunks limit.</summary>
    public const string MaxChunksFlag = "querier.max-fetched-chunks-per-query";

    /// <summary>Creates the exception with its full message.</summary>
    public QueryLimitExceededException(string message)
        : base(message)
    {
    }

    /// <summary>The message for <paramref name="limit"/> series.</summary>
    public static string MaxSeriesMessage(long limit) =>
        Format($"the query exceeded the maximum number of series (limit: {limit} series)", ErrorId.MaxSeriesPerQuery, MaxSeriesFlag);

    /// <summary>The message for <paramref name="limit"/> chunk bytes.</summary>
    public static string MaxChunkBytesMessage(long limit) =>
        Format($"the query exceeded the aggregated chunks size limit (limit: {limit} bytes)", ErrorId.MaxChunkBytesPerQuery, MaxChunkBytesFlag);

    /// <summary>The message for <paramref name="limit"/> chunks.</summary>
    public static string MaxChunksMessage(long limit) =>
        Format($"the query exceeded the maximum number of chunks (limit: {limit} chunks)", ErrorId.MaxChunksPerQuery, MaxChunksFlag);

    // Mimir's MessageWithStrategyAndPerTenantLimitConfig: "<msg> (<id>). <strategy>. Otherwise, to adjust ...".
    private static string Format(string message, string id, string flag) =>
        $"{message} {ErrorId.Tag(id)}. {CardinalityStrategy}. Otherwise, to adjust the related per-tenant limit, configure -{flag}, or contact your service administrator.";
}
