namespace MetricsCluster.Distributor;

/// <summary>The answer to a push: the HTTP status and, for errors, the plain-text message (null on success).</summary>
/// <param name="StatusCode">200 accepted; 400 bad data or tenant limit (not retried); 413 too large;
/// 415 wrong content type or encoding; 429 rate limited; 500 retryable fault; 503 ingester quorum lost, retryable.</param>
/// <param name="Message">The message naming the rule broken (and the series), or null.</param>
public sealed record PushOutcome(int StatusCode, string? Message)
{
    /// <summary>The success outcome.</summary>
    public static PushOutcome Ok { get; } = new(200, null);
}
