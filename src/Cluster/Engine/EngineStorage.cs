namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// Names shared by the Orleans providers of every <c>--ring.store</c>: the grain-state storage that holds the ring
/// descriptors and other small control-plane state (never samples: those live in the ingesters' WAL), and the
/// cluster id every silo of one MetricsCluster deployment uses.
/// </summary>
public static class EngineStorage
{
    /// <summary>The name of the grain-state storage provider (<c>[PersistentState("ring", EngineStorage.Name)]</c>).</summary>
    public const string Name = "ring-state";

    /// <summary>Orleans' cluster id and service id for one deployment.</summary>
    public const string ClusterId = "metrics-cluster";
}
