namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// One store-gateway (key: its instance id), pinned to its silo (<see cref="InstancePinnedPlacement"/>): it answers
/// from the blocks the store-gateway ring gives it. Requests and replies are our own protobuf messages
/// (docs/format/rpc.md).
/// </summary>
[Alias("mc.store-gateway")]
public interface IStoreGatewayGrain : IGrainWithStringKey
{
    /// <summary>Streams <c>StreamFrame</c>s for a <c>StoreSelectRequest</c>; the end frame names the blocks read.</summary>
    [Alias("select")]
    IAsyncEnumerable<byte[]> Select(byte[] request, CancellationToken cancellationToken);

    /// <summary><c>StoreLabelNamesRequest</c> → <c>StoreLabelsResponse</c>.</summary>
    [Alias("label-names")]
    Task<GrainReply> LabelNames(byte[] request, CancellationToken cancellationToken);

    /// <summary><c>StoreLabelValuesRequest</c> → <c>StoreLabelsResponse</c>.</summary>
    [Alias("label-values")]
    Task<GrainReply> LabelValues(byte[] request, CancellationToken cancellationToken);
}
