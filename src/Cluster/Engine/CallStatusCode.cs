namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// Why a grain call failed (a subset of gRPC's codes), carried in <see cref="GrainReply.Status"/> (docs/format/rpc.md).
/// The numbers are the wire enum <c>ErrorCode</c>'s.
/// </summary>
public enum CallStatusCode
{
    /// <summary>The call succeeded.</summary>
    Ok = 0,

    /// <summary>The request is malformed or names an invalid value (HTTP 400); permanent.</summary>
    InvalidArgument = 1,

    /// <summary>Unknown service or method (HTTP 404); permanent.</summary>
    NotFound = 2,

    /// <summary>A limit was hit (HTTP 429); permanent for this request.</summary>
    ResourceExhausted = 3,

    /// <summary>The server is in a state that rejects this request (HTTP 412); permanent.</summary>
    FailedPrecondition = 4,

    /// <summary>The server saw the call cancelled (HTTP 499); retryable.</summary>
    Cancelled = 5,

    /// <summary>The deadline passed before the reply was complete (HTTP 408); retryable.</summary>
    DeadlineExceeded = 6,

    /// <summary>The server is unreachable, starting or stopping, or the connection broke (HTTP 503); retryable.</summary>
    Unavailable = 7,

    /// <summary>The server failed (HTTP 500 and any other 5xx); retryable.</summary>
    Internal = 8,
}

/// <summary>Which failures another try, here or on another replica, may cure.</summary>
public static class CallStatus
{
    /// <summary>Cancelled, deadline, unavailable and internal errors are retryable; the rest would fail again.</summary>
    public static bool IsRetryable(CallStatusCode code) => code is CallStatusCode.Cancelled or CallStatusCode.DeadlineExceeded
        or CallStatusCode.Unavailable or CallStatusCode.Internal;
}
