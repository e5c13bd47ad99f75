namespace MetricsCluster.Core.Ingest;

/// <summary>
/// The ingester cannot take writes right now; the caller should retry (5xx). Lives in Core so the RPC layer
/// can map it to a retryable <c>Unavailable</c> status without referencing the ingester (G4).
/// </summary>
public sealed class IngesterUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IngesterUnavailableException(string message)
        : base(message)
    {
    }
}
