namespace MetricsCluster.Cluster.Rpc;

/// <summary>
/// A failed RPC. <see cref="Retryable"/> tells the distributor and querier whether another try (or another replica)
/// may succeed: unavailable servers, broken connections, truncated streams, deadlines and 5xx are retryable; invalid
/// arguments, unknown methods, limits and failed preconditions are not. The message always names the address and method.
/// </summary>
public sealed class RpcException : Exception, Replication.IRetryableError
{
    /// <summary>Creates the exception; the message becomes "&lt;method&gt; to &lt;address&gt;: &lt;detail&gt;".</summary>
    /// <param name="code">Why the call failed.</param>
    /// <param name="address">host:port of the server.</param>
    /// <param name="method">The method path, e.g. <c>ingester/Push</c>.</param>
    /// <param name="detail">What went wrong.</param>
    /// <param name="inner">The transport exception, if any.</param>
    public RpcException(RpcStatusCode code, string address, string method, string detail, Exception? inner = null)
        : base($"rpc {method} to {address} failed ({code}): {detail}", inner)
    {
        Code = code;
        Address = address;
        Method = method;
    }

    /// <summary>Why the call failed.</summary>
    public RpcStatusCode Code { get; }

    /// <summary>Whether the call may succeed when retried, here or on another replica.</summary>
    public bool Retryable => RpcStatus.IsRetryable(Code);

    /// <summary>host:port of the server.</summary>
    public string Address { get; }

    /// <summary>The method path, e.g. <c>ingester/Push</c>.</summary>
    public string Method { get; }
}
