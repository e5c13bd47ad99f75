using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Ingester;

/// <summary>A block the head was cut into, on local disk under the tenant's directory, open for queries.</summary>
/// <param name="Shared">The leased reader: queries read under a lease, retention drops it.</param>
internal sealed record LocalBlock(SharedBlockReader Shared)
{
    /// <summary>Gets the block's meta.json.</summary>
    internal BlockMeta Meta => Shared.Meta;

    /// <summary>True when the block may hold samples in [mint, maxt] (block max time is exclusive).</summary>
    internal bool Overlaps(long mint, long maxt) => Meta.MinTime <= maxt && Meta.MaxTime > mint;
}
