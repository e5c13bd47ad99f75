using Google.Protobuf;
using MetricsCluster.Core.Ingest;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// The one table between exceptions and <see cref="CallStatusCode"/>: on the grain's side (what its method threw) and
/// on the caller's (what Orleans threw: a dead silo, a timeout, a refused placement).
/// </summary>
internal static class GrainErrors
{
    /// <summary>The status a grain method's exception becomes; unexpected ones are logged.</summary>
    public static (CallStatusCode Code, string Message) Classify(Exception e, string method, ILogger log)
    {
        switch (e)
        {
            case GrainCallException g:
                // A call this grain made to another failed; pass on whether retrying may help.
                return (g.Code, g.Message);
            case IngesterUnavailableException:
                return (CallStatusCode.Unavailable, e.Message);
            case OperationCanceledException:
                return (CallStatusCode.Cancelled, "cancelled by the caller");
            case ArgumentException or FormatException or InvalidProtocolBufferException:
                return (CallStatusCode.InvalidArgument, e.Message);
            default:
                log.LogError(e, "grain call {Method} failed", method);
                return (CallStatusCode.Internal, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>
    /// What a failed call looks like to its caller: Orleans' own failures (the silo is gone or not yet declared dead,
    /// the response timed out, placement refused because the instance's silo is not in the cluster) are all
    /// retryable, as a failed replica is in Mimir; an unknown outcome (timeout) is never taken as success.
    /// </summary>
    public static GrainCallException ForCaller(Exception e, string instance, string method, CancellationToken callerToken) => e switch
    {
        GrainCallException g => g,
        OperationCanceledException when callerToken.IsCancellationRequested => new GrainCallException(CallStatusCode.Cancelled, instance, method, "cancelled by the caller", e),
        TimeoutException or OperationCanceledException => new GrainCallException(CallStatusCode.DeadlineExceeded, instance, method, "no answer in time: " + e.Message, e),
        _ => new GrainCallException(CallStatusCode.Unavailable, instance, method, e.GetType().Name + ": " + e.Message, e),
    };

    /// <summary>The exception a failed <see cref="GrainReply"/> becomes at its caller.</summary>
    public static GrainCallException FromReply(GrainReply reply, string instance, string method) =>
        new(Enum.IsDefined((CallStatusCode)reply.Status) ? (CallStatusCode)reply.Status : CallStatusCode.Internal, instance, method, reply.Error);
}
