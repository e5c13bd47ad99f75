namespace MetricsCluster.Core.Ingest;

/// <summary>
/// What an ingester did with a batch. Rejected samples never affect accepted ones (a bad series is
/// skipped, the rest is written); <see cref="FirstError"/> describes the first rejection.
/// </summary>
public sealed class PushResult
{
    /// <summary>Samples written (to the WAL and the head).</summary>
    public int Accepted { get; set; }

    /// <summary>Rejected samples by error id.</summary>
    public Dictionary<string, int> RejectedByReason { get; } = [];

    /// <summary>The first rejection, if any.</summary>
    public PushError? FirstError { get; private set; }

    /// <summary>Records a rejection of <paramref name="samples"/> samples.</summary>
    public void Reject(string errorId, int samples, Func<string> message, bool isLimit = false)
    {
        RejectedByReason[errorId] = RejectedByReason.GetValueOrDefault(errorId) + samples;
        FirstError ??= new PushError(errorId, message(), isLimit);
    }
}

/// <summary>A rejection: the stable id, the full message (naming the series and the rule), and whether a tenant limit caused it.</summary>
/// <param name="Id">Error id (<see cref="ErrorId"/>).</param>
/// <param name="Message">Message including the <c>(err-mc-…)</c> tag.</param>
/// <param name="IsLimit">True for per-tenant limits.</param>
public sealed record PushError(string Id, string Message, bool IsLimit);
