namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// What every unary grain method returns: the reply's payload (one of our own protobuf messages, docs/format/rpc.md)
/// or a status and message. Failures travel as values, not exceptions, so the caller's classification
/// (<see cref="CallStatus.IsRetryable"/>) never depends on how Orleans serializes an exception type.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.reply")]
public sealed class GrainReply
{
    /// <summary>The reply message's bytes; empty on failure.</summary>
    [Id(0)]
    public byte[] Payload { get; init; } = [];

    /// <summary><see cref="CallStatusCode.Ok"/> or why the call failed (as its number, stable on the wire).</summary>
    [Id(1)]
    public int Status { get; init; }

    /// <summary>The failure's message; empty on success.</summary>
    [Id(2)]
    public string Error { get; init; } = string.Empty;

    /// <summary>A successful reply.</summary>
    public static GrainReply Ok(byte[] payload) => new() { Payload = payload };

    /// <summary>A failed reply.</summary>
    public static GrainReply Fail(CallStatusCode code, string message) => new() { Status = (int)code, Error = message };
}
