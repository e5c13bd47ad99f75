namespace MetricsCluster.Distributor;

/// <summary>
/// Process-wide distributor settings, with Mimir's flag names and defaults (G5). Per-tenant limits
/// (ingestion rate, validation) are not here: they come from <see cref="Core.Limits.IOverrides"/>.
/// </summary>
public sealed class DistributorOptions
{
    /// <summary>Flag of <see cref="MaxRecvMsgSize"/>.</summary>
    public const string MaxRecvMsgSizeFlag = "distributor.max-recv-msg-size";

    /// <summary>
    /// Largest push body in bytes, checked on the compressed body and again on the snappy-decoded
    /// length (YAML <c>max_recv_msg_size</c>). Default 100 MiB, as Mimir.
    /// </summary>
    public int MaxRecvMsgSize { get; set; } = 100 << 20;

    /// <summary>Flag of <see cref="MaxInflightPushRequests"/>.</summary>
    public const string MaxInflightPushRequestsFlag = "distributor.instance-limits.max-inflight-push-requests";

    /// <summary>Flag of <see cref="MaxInflightPushRequestsBytes"/>.</summary>
    public const string MaxInflightPushRequestsBytesFlag = "distributor.instance-limits.max-inflight-push-requests-bytes";

    /// <summary>
    /// Most push requests this distributor handles at once; more are refused before their body is read, with a
    /// 5xx the sender retries (YAML <c>max_inflight_push_requests</c>). 0 = unlimited. Default 2000, as Mimir.
    /// </summary>
    public int MaxInflightPushRequests { get; set; } = 2000;

    /// <summary>
    /// Most bytes the push requests in flight may hold (YAML <c>max_inflight_push_requests_bytes</c>); 0 = unlimited.
    /// Each request counts its compressed body and twice its decoded length (the decode buffer and the batch
    /// parsed from it), reserved from the snappy header before anything is decoded. Mimir counts only the
    /// compressed body and defaults to unlimited; a 5 MB body can decode to 100 MiB, so that bound did not bound
    /// memory. Default 1 GiB: about three pushes at the 100 MiB maximum at once, or thousands of ordinary ones
    /// (a Prometheus sender's 2,000 samples are about 100 KiB decoded). At least three times
    /// <see cref="MaxRecvMsgSize"/>, so that the largest allowed push can always be admitted.
    /// </summary>
    public long MaxInflightPushRequestsBytes { get; set; } = 1L << 30;

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending flag when a value is out of range.</summary>
    public void Validate()
    {
        if (MaxRecvMsgSize <= 0)
        {
            throw new ArgumentException($"-{MaxRecvMsgSizeFlag} must be greater than 0, got {MaxRecvMsgSize}");
        }

        if (MaxInflightPushRequests < 0)
        {
            throw new ArgumentException($"-{MaxInflightPushRequestsFlag} must be 0 (unlimited) or positive, got {MaxInflightPushRequests}");
        }

        if (MaxInflightPushRequestsBytes < 0 || (MaxInflightPushRequestsBytes > 0 && MaxInflightPushRequestsBytes < 3L * MaxRecvMsgSize))
        {
            throw new ArgumentException(
                $"-{MaxInflightPushRequestsBytesFlag} must be 0 (unlimited) or at least 3 x -{MaxRecvMsgSizeFlag} ({3L * MaxRecvMsgSize}) so the largest push fits, got {MaxInflightPushRequestsBytes}");
        }
    }
}
