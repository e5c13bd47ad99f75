namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// A failed grain call, as its caller sees it. <see cref="Retryable"/> tells the distributor and querier whether
/// another try (or another replica) may succeed: unavailable silos, timeouts, truncated streams and internal errors
/// are retryable; invalid arguments, limits and failed preconditions are not. The message names the instance and the
/// method.
/// </summary>
public sealed class GrainCallException : Exception, Replication.IRetryableError
{
    /// <summary>Creates the exception; the message becomes "&lt;method&gt; on &lt;instance&gt; failed (&lt;code&gt;): &lt;detail&gt;".</summary>
    /// <param name="code">Why the call failed.</param>
    /// <param name="instance">The ring instance id the call went to.</param>
    /// <param name="method">The method, e.g. <c>ingester/Push</c>.</param>
    /// <param name="detail">What went wrong.</param>
    /// <param name="inner">The Orleans exception, if any.</param>
    public GrainCallException(CallStatusCode code, string instance, string method, string detail, Exception? inner = null)
        : base($"{method} on {instance} failed ({code}): {detail}", inner)
    {
        Code = code;
        Instance = instance;
        Method = method;
    }

    /// <summary>Why the call failed.</summary>
    public CallStatusCode Code { get; }

    /// <summary>Whether the call may succeed when retried, here or on another replica.</summary>
    public bool Retryable => CallStatus.IsRetryable(Code);

    /// <summary>The ring instance id the call went to.</summary>
    public string Instance { get; }

    /// <summary>The method, e.g. <c>ingester/Push</c>.</summary>
    public string Method { get; }
}
