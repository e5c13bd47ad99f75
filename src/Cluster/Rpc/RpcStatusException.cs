namespace MetricsCluster.Cluster.Rpc;

/// <summary>Thrown inside a server handler to answer with a specific status and message.</summary>
internal sealed class RpcStatusException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RpcStatusException(RpcStatusCode code, string message)
        : base(message) => Code = code;

    /// <summary>The status to answer.</summary>
    public RpcStatusCode Code { get; }
}
