using System.Net;
using MetricsCluster.Cluster.Rpc.Wire;
using ErrorCode = MetricsCluster.Cluster.Rpc.Wire.ErrorCode;

namespace MetricsCluster.Cluster.Rpc;

/// <summary>The one table between <see cref="RpcStatusCode"/>, HTTP statuses and the wire <see cref="ErrorCode"/>.</summary>
internal static class RpcStatus
{
    /// <summary>HTTP status a server answers for <paramref name="code"/>.</summary>
    public static int ToHttp(RpcStatusCode code) => code switch
    {
        RpcStatusCode.InvalidArgument => StatusCodes.BadRequest,
        RpcStatusCode.NotFound => StatusCodes.NotFound,
        RpcStatusCode.ResourceExhausted => StatusCodes.TooManyRequests,
        RpcStatusCode.FailedPrecondition => StatusCodes.PreconditionFailed,
        RpcStatusCode.Cancelled => StatusCodes.ClientClosedRequest,
        RpcStatusCode.DeadlineExceeded => StatusCodes.RequestTimeout,
        RpcStatusCode.Unavailable => StatusCodes.ServiceUnavailable,
        _ => StatusCodes.InternalServerError,
    };

    /// <summary>The code for an HTTP status whose body carried no readable <see cref="RpcError"/>.</summary>
    public static RpcStatusCode FromHttp(HttpStatusCode status) => (int)status switch
    {
        StatusCodes.BadRequest => RpcStatusCode.InvalidArgument,
        StatusCodes.NotFound => RpcStatusCode.NotFound,
        StatusCodes.TooManyRequests => RpcStatusCode.ResourceExhausted,
        StatusCodes.PreconditionFailed => RpcStatusCode.FailedPrecondition,
        StatusCodes.ClientClosedRequest => RpcStatusCode.Cancelled,
        StatusCodes.RequestTimeout => RpcStatusCode.DeadlineExceeded,
        StatusCodes.ServiceUnavailable or StatusCodes.BadGateway or StatusCodes.GatewayTimeout => RpcStatusCode.Unavailable,

        // Any other 4xx is the caller's mistake; anything else is the server's.
        >= 400 and < 500 => RpcStatusCode.InvalidArgument,
        _ => RpcStatusCode.Internal,
    };

    /// <summary>Wire form of a code.</summary>
    public static ErrorCode ToWire(RpcStatusCode code) => (ErrorCode)(int)code;

    /// <summary>Code of a wire error; unknown values count as <see cref="RpcStatusCode.Internal"/>.</summary>
    public static RpcStatusCode FromWire(ErrorCode code) =>
        code is >= ErrorCode.InvalidArgument and <= ErrorCode.Internal ? (RpcStatusCode)(int)code : RpcStatusCode.Internal;

    /// <summary>Whether a call failing with <paramref name="code"/> may succeed on another try or replica.</summary>
    public static bool IsRetryable(RpcStatusCode code) => code is RpcStatusCode.Cancelled or RpcStatusCode.DeadlineExceeded
        or RpcStatusCode.Unavailable or RpcStatusCode.Internal;

    private static class StatusCodes
    {
        public const int BadRequest = 400;
        public const int NotFound = 404;
        public const int RequestTimeout = 408;
        public const int PreconditionFailed = 412;
        public const int TooManyRequests = 429;
        public const int ClientClosedRequest = 499;
        public const int InternalServerError = 500;
        public const int BadGateway = 502;
        public const int ServiceUnavailable = 503;
        public const int GatewayTimeout = 504;
    }
}
