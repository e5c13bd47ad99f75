using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Compactor.Planning;

/// <summary>What the planner needs to know about one tenant's bucket.</summary>
/// <param name="Blocks">The metas of the tenant's complete blocks (those with a <c>meta.json</c>).</param>
/// <param name="Excluded">
/// Ids of blocks carrying a no-compact mark or a deletion mark (<c>markers/&lt;ULID&gt;-no-compact-mark.json</c>,
/// <c>markers/&lt;ULID&gt;-deletion-mark.json</c>): they are dropped before planning, as Mimir's
/// <c>NoCompactionMarkFilter</c> and deletion-mark filter do, so they neither take part in a job nor count as the
/// tenant's newest block.
/// </param>
/// <param name="UploadTime">
/// When a block was uploaded: the service passes <c>meta.json</c>'s last-modified time, as Mimir does, or
/// <see cref="UlidTime"/> where that is unknown.
/// </param>
public sealed record CompactionPlanInput(
    IReadOnlyCollection<BlockMeta> Blocks,
    IReadOnlySet<Ulid> Excluded,
    Func<BlockMeta, DateTimeOffset> UploadTime)
{
    /// <summary>The time a block's ULID was created, a stand-in for its upload time.</summary>
    public static Func<BlockMeta, DateTimeOffset> UlidTime { get; } = m => DateTimeOffset.FromUnixTimeMilliseconds(m.Ulid.TimestampMs);
}
