namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>
/// Delivers one encoded remote-write 1.0 request (a snappy block of a <c>prometheus.WriteRequest</c>).
/// Declared here, on the consumer side (G3): <see cref="HttpRemoteWriteTransport"/> posts it, and the
/// host binds an in-process implementation that calls the distributor.
/// </summary>
public interface IRemoteWriteTransport
{
    /// <summary>Gets the endpoint for the <c>url</c> metric label and logs.</summary>
    string Endpoint { get; }

    /// <summary>Sends one request once; the queue owns retries.</summary>
    /// <param name="body">The snappy-compressed protobuf; valid only until the returned task completes.</param>
    /// <param name="attempt">0 for the first try, then the retry number (sent as <c>Retry-Attempt</c>).</param>
    /// <param name="cancellationToken">Stops the send (queue shutdown).</param>
    /// <returns>The receiver's answer. Network errors and timeouts throw; the queue retries them.</returns>
    Task<RemoteWriteResponse> SendAsync(ReadOnlyMemory<byte> body, int attempt, CancellationToken cancellationToken);
}

/// <summary>The receiver's answer to one request.</summary>
/// <param name="StatusCode">The HTTP status (an in-process transport maps its result to one).</param>
/// <param name="RetryAfter">The delay the receiver asked for (<c>Retry-After</c>), if any.</param>
/// <param name="BodyExcerpt">The start of the response body, for the log line of a dropped batch.</param>
public readonly record struct RemoteWriteResponse(int StatusCode, TimeSpan? RetryAfter, string BodyExcerpt)
{
    /// <summary>Gets a value indicating whether the batch was accepted.</summary>
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}
