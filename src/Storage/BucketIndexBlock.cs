using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Storage;

/// <summary>One complete block in a <see cref="BucketIndex"/> (Mimir <c>bucketindex.Block</c>).</summary>
/// <param name="Id">The block ID (<c>block_id</c>).</param>
/// <param name="MinTime">Inclusive lower bound of its samples, in ms (<c>min_time</c>).</param>
/// <param name="MaxTime">Exclusive upper bound of its samples, in ms (<c>max_time</c>).</param>
/// <param name="UploadedAt">When its meta.json was written to the bucket, in Unix seconds (<c>uploaded_at</c>).</param>
/// <param name="Source">The producer from the meta's Thanos section, e.g. <c>ingester</c>; empty = omitted (<c>source</c>).</param>
/// <param name="CompactionLevel">The meta's compaction level; 0 = omitted (<c>compaction_level</c>).</param>
/// <param name="Resolution">
/// The meta's <c>thanos.downsample.resolution</c> in ms; 0 = raw, omitted (<c>downsample_resolution</c>, our
/// addition: Mimir has no downsampling), so queriers can choose resolutions without reading every meta.json.
/// </param>
public sealed record BucketIndexBlock(Ulid Id, long MinTime, long MaxTime, long UploadedAt, string Source = "", int CompactionLevel = 0, long Resolution = 0);
