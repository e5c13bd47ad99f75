using MetricsCluster.Agent.RemoteWrite;

namespace MetricsCluster;

/// <summary>
/// The agent's remote-write transport in <c>--target=all</c> without remote_write: each request goes to the
/// in-process distributor as one push of <c>--agent.tenant</c>, and its outcome becomes the status the queue
/// understands (2xx sent, 429 and 5xx retried, other 4xx dropped). Lives in the host because only the host may
/// see both components (G3, G4).
/// </summary>
internal sealed class DistributorRemoteWriteTransport(Distributor.Distributor distributor, string tenant) : IRemoteWriteTransport
{
    /// <inheritdoc/>
    public string Endpoint => "in-process://distributor/" + tenant;

    /// <inheritdoc/>
    public async Task<RemoteWriteResponse> SendAsync(ReadOnlyMemory<byte> body, int attempt, CancellationToken cancellationToken)
    {
        // The distributor does not retain the body past the push (its G11 note), as the transport contract requires.
        var outcome = await distributor.PushAsync(tenant, body, "application/x-protobuf", "snappy", cancellationToken);
        return new RemoteWriteResponse(outcome.StatusCode, null, outcome.Message ?? string.Empty);
    }
}
