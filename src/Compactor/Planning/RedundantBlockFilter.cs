using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Compactor.Planning;

/// <summary>
/// Drops blocks whose data another block already holds: a block is redundant when another block of the same
/// downsampling resolution and split shard lists all of its <c>compaction.sources</c> and more (Thanos'
/// <c>DeduplicateFilter</c>, which Mimir's shard-aware filter extends). That happens when a compaction uploaded its
/// output but stopped before marking its sources for deletion; planning the sources again would merge them into the
/// output a second time. Of two blocks with the same sources, the one with the lower ULID is kept (the choice is
/// arbitrary in Thanos; any fixed choice works, the data are the same).
/// </summary>
public static class RedundantBlockFilter
{
    /// <summary>Splits <paramref name="blocks"/> into those to plan with and the redundant ones, each in input order.</summary>
    public static (IReadOnlyList<BlockMeta> Kept, IReadOnlyList<BlockMeta> Redundant) Split(IReadOnlyList<BlockMeta> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var sources = blocks.Select(SourcesOf).ToArray();
        var kept = new List<BlockMeta>(blocks.Count);
        var redundant = new List<BlockMeta>();
        for (int i = 0; i < blocks.Count; i++)
        {
            bool covered = false;
            for (int j = 0; j < blocks.Count && !covered; j++)
            {
                covered = j != i && Covers(blocks[j], sources[j], blocks[i], sources[i]);
            }

            (covered ? redundant : kept).Add(blocks[i]);
        }

        return (kept, redundant);
    }

    private static HashSet<Ulid> SourcesOf(BlockMeta meta)
    {
        // A block without sources (a plain Prometheus block) is its own only source.
        return meta.Compaction.Sources.Count == 0 ? [meta.Ulid] : [.. meta.Compaction.Sources];
    }

    private static bool Covers(BlockMeta b, HashSet<Ulid> bSources, BlockMeta a, HashSet<Ulid> aSources)
    {
        // A compacted block spans the union of its sources' ranges, so a cover also covers in time: this cheap test
        // skips nearly every pair before the set comparison.
        if (b.MinTime > a.MinTime || b.MaxTime < a.MaxTime
            || (b.Thanos?.DownsampleResolution ?? 0) != (a.Thanos?.DownsampleResolution ?? 0)
            || CompactionGroupKey.ShardIdOf(b) != CompactionGroupKey.ShardIdOf(a)
            || !bSources.IsSupersetOf(aSources))
        {
            return false;
        }

        return bSources.Count > aSources.Count || b.Ulid < a.Ulid;
    }
}
