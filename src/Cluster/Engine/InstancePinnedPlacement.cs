using Orleans.Placement;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// Placement of the grains whose state is a disk: an ingester grain (<c>"&lt;instance id&gt;/&lt;tenant&gt;"</c>) holds the
/// tenant's head and WAL on the disk of the silo named by the instance id, a store-gateway grain (<c>"&lt;instance id&gt;"</c>)
/// the blocks that store-gateway owns. Such a grain activates on that silo only (<see cref="InstancePinnedPlacementDirector"/>).
/// </summary>
[Serializable]
[GenerateSerializer]
[Immutable]
[SuppressReferenceTracking]
[Alias("mc.pinned")]
public sealed class InstancePinnedPlacement : PlacementStrategy
{
    /// <summary>The one instance (the strategy has no parameters).</summary>
    public static readonly InstancePinnedPlacement Instance = new();

    /// <summary>The instance id a grain key names: the part before the first '/', or the whole key.</summary>
    public static string InstanceOf(string key)
    {
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? key : key[..slash];
    }

    /// <summary>The tenant a grain key names: the part after the first '/', or empty.</summary>
    public static string TenantOf(string key)
    {
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? string.Empty : key[(slash + 1)..];
    }
}

/// <summary>Marks a grain class as placed by <see cref="InstancePinnedPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class InstancePinnedPlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public InstancePinnedPlacementAttribute()
        : base(InstancePinnedPlacement.Instance)
    {
    }
}
