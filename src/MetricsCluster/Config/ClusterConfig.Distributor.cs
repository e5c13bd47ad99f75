using MetricsCluster.Distributor;

namespace MetricsCluster.Config;

/// <summary>The distributor's settings: request size and instance limits (G5).</summary>
public sealed partial class ClusterConfig
{
    /// <summary>Largest accepted push body, compressed or not.</summary>
    public int MaxRecvMsgSize { get; set; } = 100 << 20;

    /// <summary>Most push requests in flight in a distributor (<c>--distributor.instance-limits.max-inflight-push-requests</c>).</summary>
    public int DistributorMaxInflightPushRequests { get; set; } = 2000;

    /// <summary>Most bytes held by a distributor's pushes in flight (<c>--distributor.instance-limits.max-inflight-push-requests-bytes</c>).</summary>
    public long DistributorMaxInflightPushRequestsBytes { get; set; } = 1L << 30;

    /// <summary>The distributor options derived from this config.</summary>
    public DistributorOptions DistributorOptions() => new()
    {
        MaxRecvMsgSize = MaxRecvMsgSize,
        MaxInflightPushRequests = DistributorMaxInflightPushRequests,
        MaxInflightPushRequestsBytes = DistributorMaxInflightPushRequestsBytes,
    };

    /// <summary>The distributor's flags, in help order.</summary>
    internal static readonly ConfigOption[] DistributorFlags =
    [
        ConfigOption.Int("distributor.max-recv-msg-size", "Largest push body in bytes, compressed or decompressed.", c => c.MaxRecvMsgSize, (c, v) => c.MaxRecvMsgSize = v),
        ConfigOption.Int("distributor.instance-limits.max-inflight-push-requests", "Most push requests a distributor handles at once; more are refused (500, retried) before their body is read; 0 = unlimited.", c => c.DistributorMaxInflightPushRequests, (c, v) => c.DistributorMaxInflightPushRequests = v),
        ConfigOption.Long("distributor.instance-limits.max-inflight-push-requests-bytes", "Most bytes the push requests in flight in a distributor may hold (compressed body plus twice the decoded length); 0 = unlimited; else at least 3 x max-recv-msg-size.", c => c.DistributorMaxInflightPushRequestsBytes, (c, v) => c.DistributorMaxInflightPushRequestsBytes = v),
    ];
}
