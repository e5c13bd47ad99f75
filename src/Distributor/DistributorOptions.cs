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

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending flag when a value is out of range.</summary>
    public void Validate()
    {
        if (MaxRecvMsgSize <= 0)
        {
            throw new ArgumentException($"-{MaxRecvMsgSizeFlag} must be greater than 0, got {MaxRecvMsgSize}");
        }
    }
}
