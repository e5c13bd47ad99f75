using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Engine;

namespace MetricsCluster.Distributor;

/// <summary>
/// HTTP answers for a push whose replicated write failed (Mimir's distributor): a lost quorum the sender may retry
/// is 503, one every replica would repeat answers with the permanent error's own status. The message names the
/// failing ingesters (the exception's message lists them).
/// </summary>
internal static class QuorumOutcomes
{
    /// <summary>The answer for a lost quorum.</summary>
    internal static PushOutcome From(QuorumException e)
    {
        if (e.Retryable)
        {
            return new PushOutcome(503, $"failed pushing to ingesters: {e.Message}");
        }

        int status = e.Failures.Select(f => f.Error).OfType<GrainCallException>().Select(r => StatusOf(r.Code)).FirstOrDefault(500);
        return new PushOutcome(status, $"failed pushing to ingesters: {e.Message}");
    }

    /// <summary>Too few healthy ingesters in the ring for a quorum: retryable once instances come back.</summary>
    internal static PushOutcome From(RingUnavailableException e) =>
        new(503, $"failed pushing to ingesters: {e.Message}");

    // The distributor's statuses for what a replica refused; anything unexpected is the server's fault.
    private static int StatusOf(CallStatusCode code) => code switch
    {
        CallStatusCode.InvalidArgument => 400,
        CallStatusCode.ResourceExhausted => 429,
        CallStatusCode.Unavailable => 503,
        _ => 500,
    };
}
