using System.Text;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Compactor.Planning;

/// <summary>
/// What decides which blocks may ever be merged together: the downsampling resolution and the external labels of
/// <c>meta.json</c>'s <c>thanos</c> section, as Mimir groups them (<c>defaultGroupKeyWithoutShardID</c> after the
/// compactor's <c>LabelRemoverFilter</c>). The tenant (<c>__org_id__</c>) and ingester (<c>__ingester_id__</c>) labels
/// are dropped first, as Mimir does, so replicas uploaded by different ingesters and blocks with and without the
/// tenant label fall into one group; the split shard (<c>__compactor_shard_id__</c>) is not part of the key but
/// partitions a group's blocks (see <see cref="ShardIdOf"/>).
/// </summary>
/// <param name="DownsampleResolution">Thanos' <c>downsample.resolution</c> in ms; 0 = raw data.</param>
/// <param name="ExternalLabels">The remaining external labels, sorted by name, as <c>{a="1",b="2"}</c>.</param>
public readonly record struct CompactionGroupKey(long DownsampleResolution, string ExternalLabels)
{
    /// <summary>The external label holding the split shard of a block, e.g. <c>1_of_4</c> (Mimir <c>CompactorShardIDExternalLabel</c>).</summary>
    public const string ShardIdLabel = MetricsCluster.Tsdb.Block.Compaction.BlockMerger.ShardIdLabel;

    /// <summary>External labels removed before grouping (Mimir's deprecated tenant and ingester labels).</summary>
    public static IReadOnlyList<string> IgnoredLabels { get; } = ["__org_id__", "__ingester_id__"];

    /// <summary>The key of <paramref name="meta"/>; a block without a <c>thanos</c> section has resolution 0 and no labels.</summary>
    public static CompactionGroupKey Of(BlockMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        if (meta.Thanos is not { } thanos)
        {
            return new CompactionGroupKey(0, "{}");
        }

        var sb = new StringBuilder("{");
        foreach (var (name, value) in thanos.Labels)
        {
            // SortedDictionary with the ordinal comparer: the order is already the canonical one.
            if (name == ShardIdLabel || IgnoredLabels.Contains(name))
            {
                continue;
            }

            if (sb.Length > 1)
            {
                sb.Append(',');
            }

            sb.Append(name).Append("=\"");
            foreach (char c in value)
            {
                _ = c switch
                {
                    '\\' => sb.Append(@"\\"),
                    '"' => sb.Append("\\\""),
                    '\n' => sb.Append(@"\n"),
                    _ => sb.Append(c),
                };
            }

            sb.Append('"');
        }

        return new CompactionGroupKey(thanos.DownsampleResolution, sb.Append('}').ToString());
    }

    /// <summary>The block's split shard (<see cref="ShardIdLabel"/>), or the empty string for a block never split.</summary>
    public static string ShardIdOf(BlockMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        return meta.Thanos?.Labels.GetValueOrDefault(ShardIdLabel) ?? string.Empty;
    }

    /// <summary>Thanos' group key shape: <c>&lt;resolution&gt;@&lt;labels&gt;</c>, e.g. <c>0@{}</c>.</summary>
    public override string ToString() => $"{DownsampleResolution}@{ExternalLabels}";
}
