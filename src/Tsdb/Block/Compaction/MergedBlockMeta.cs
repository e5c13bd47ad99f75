namespace MetricsCluster.Tsdb.Block.Compaction;

/// <summary>
/// The meta.json of a merged block, as Prometheus' <c>CompactBlockMetas</c> computes it: the union of the sources'
/// time ranges, level = max(source levels) + 1, sources = sorted union of the sources' sources, parents = each
/// source block in merge order; plus the Thanos section.
/// </summary>
internal static class MergedBlockMeta
{
    /// <summary>Builds the meta of block <paramref name="ulid"/> from its <paramref name="sources"/> (at least one).</summary>
    public static BlockMeta Build(Ulid ulid, IReadOnlyList<BlockMeta> sources, BlockStats stats, ThanosMeta? thanos)
    {
        var meta = new BlockMeta
        {
            Ulid = ulid,
            MinTime = sources.Min(s => s.MinTime),
            MaxTime = sources.Max(s => s.MaxTime),
            Stats = stats,
            Thanos = thanos ?? FromFirstSource(sources[0].Thanos),
        };
        meta.Compaction.Level = sources.Max(s => s.Compaction.Level) + 1;
        meta.Compaction.Sources.AddRange(sources.SelectMany(s => s.Compaction.Sources).Distinct().Order());
        meta.Compaction.Parents.AddRange(sources.Select(s => new BlockDesc(s.Ulid, s.MinTime, s.MaxTime)));
        return meta;
    }

    // The first source's labels and resolution carry over (all sources of one compaction group share them).
    public static ThanosMeta? FromFirstSource(ThanosMeta? first)
    {
        if (first is null)
        {
            return null;
        }

        var copy = new ThanosMeta { Version = first.Version, DownsampleResolution = first.DownsampleResolution, Source = "compactor" };
        foreach (var (k, v) in first.Labels)
        {
            copy.Labels[k] = v;
        }

        return copy;
    }
}
