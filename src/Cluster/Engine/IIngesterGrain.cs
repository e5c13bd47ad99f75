namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// One tenant on one ingester: key <c>"&lt;instance id&gt;/&lt;tenant&gt;"</c>, pinned to the silo named by the instance
/// id (<see cref="InstancePinnedPlacement"/>). Requests and replies are our own protobuf messages
/// (docs/format/rpc.md); the tenant in a request must be the key's.
/// </summary>
[Alias("mc.ingester")]
public interface IIngesterGrain : IGrainWithStringKey
{
    /// <summary>Appends a <c>PushCodec</c> payload; replies with a <c>PushResponse</c> once the samples are in the WAL.</summary>
    [Alias("push")]
    Task<GrainReply> Push(byte[] payload, CancellationToken cancellationToken);

    /// <summary>Streams <c>StreamFrame</c>s for an <c>IngesterSelectRequest</c>: series batches, then an end frame (or an error frame).</summary>
    [Alias("select")]
    IAsyncEnumerable<byte[]> Select(byte[] request, CancellationToken cancellationToken);

    /// <summary><c>IngesterLabelNamesRequest</c> → <c>LabelsResponse</c>.</summary>
    [Alias("label-names")]
    Task<GrainReply> LabelNames(byte[] request, CancellationToken cancellationToken);

    /// <summary><c>IngesterLabelValuesRequest</c> → <c>LabelsResponse</c>.</summary>
    [Alias("label-values")]
    Task<GrainReply> LabelValues(byte[] request, CancellationToken cancellationToken);

    /// <summary><c>MetadataRequest</c> → <c>MetadataResponse</c>.</summary>
    [Alias("metadata")]
    Task<GrainReply> Metadata(byte[] request, CancellationToken cancellationToken);

    /// <summary>The tenant's <c>UserStatsResponse</c>.</summary>
    [Alias("user-stats")]
    Task<GrainReply> UserStats(CancellationToken cancellationToken);
}

/// <summary>One ingester as a whole (key: the instance id), for what spans its tenants.</summary>
[Alias("mc.ingester-instance")]
public interface IIngesterInstanceGrain : IGrainWithStringKey
{
    /// <summary>Every tenant's statistics as an <c>AllUserStatsResponse</c>.</summary>
    [Alias("all-user-stats")]
    Task<GrainReply> AllUserStats(CancellationToken cancellationToken);
}
