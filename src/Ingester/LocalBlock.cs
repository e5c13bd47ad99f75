using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Ingester;

/// <summary>A block the head was cut into, on local disk under the tenant's directory, open for queries.</summary>
/// <param name="Meta">Its meta.json.</param>
/// <param name="Reader">The open reader; disposed with the tenant (or when the block is removed).</param>
internal sealed record LocalBlock(BlockMeta Meta, BlockReader Reader)
{
    /// <summary>True when the block may hold samples in [mint, maxt] (block max time is exclusive).</summary>
    internal bool Overlaps(long mint, long maxt) => Meta.MinTime <= maxt && Meta.MaxTime > mint;
}
