using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Storage.Shipping;

/// <summary>A complete block directory on local disk: ULID-named, holding a readable <c>meta.json</c> for that ULID.</summary>
/// <param name="Dir">The block directory.</param>
/// <param name="Meta">Its parsed <c>meta.json</c>.</param>
public sealed record LocalBlock(string Dir, BlockMeta Meta)
{
    /// <summary>Gets the block's ID.</summary>
    public Ulid Ulid => Meta.Ulid;
}
