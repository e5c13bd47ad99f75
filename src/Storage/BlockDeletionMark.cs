using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Storage;

/// <summary>A block marked for deletion, as listed in a <see cref="BucketIndex"/> (Mimir <c>bucketindex.BlockDeletionMark</c>).</summary>
/// <param name="Id">The block ID (<c>block_id</c>).</param>
/// <param name="DeletionTime">When the block was marked, in Unix seconds (<c>deletion_time</c>).</param>
public sealed record BlockDeletionMark(Ulid Id, long DeletionTime);
