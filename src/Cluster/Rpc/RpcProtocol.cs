namespace MetricsCluster.Cluster.Rpc;

/// <summary>Constants of the wire protocol (docs/format/rpc.md).</summary>
public static class RpcProtocol
{
    /// <summary>Content type of every request and reply body.</summary>
    public const string ContentType = "application/x-protobuf";

    /// <summary>Request header with the caller's remaining time budget in whole milliseconds.</summary>
    public const string DeadlineHeader = "mc-deadline-ms";

    /// <summary>Path prefix of every method: <c>/rpc/&lt;service&gt;/&lt;Method&gt;</c>.</summary>
    public const string PathPrefix = "/rpc/";

    /// <summary>Service name of the ingester.</summary>
    public const string IngesterService = "ingester";

    /// <summary>Service name of the store-gateway.</summary>
    public const string StoreGatewayService = "storegateway";

    /// <summary>Largest frame a client accepts (a batch is cut at a few hundred KB, one series may exceed it).</summary>
    public const int MaxFrameBytes = 64 << 20;

    /// <summary>A server cuts a series batch once it holds this many encoded bytes.</summary>
    public const int TargetBatchBytes = 256 << 10;
}
