using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Compactor.Downsampling;

/// <summary>One block to downsample and the resolution to write.</summary>
/// <param name="Source">The block to read.</param>
/// <param name="Resolution">The target resolution, ms.</param>
public sealed record DownsampleJob(BlockMeta Source, long Resolution);

/// <summary>
/// Decides which blocks to downsample (Thanos' <c>downsampleBucket</c>): a block qualifies for the next resolution
/// by its span (<see cref="DownsampleResolution.Next"/>) unless blocks of that resolution already cover all of its
/// <c>compaction.sources</c> (a downsampled block keeps its source's sources). Blocks carrying a deletion or
/// no-compact mark are left out: the first are being replaced, the second could not be read by the merge and would
/// fail here too. Pure: reads only its input.
/// </summary>
public static class DownsamplePlanner
{
    /// <summary>The jobs for one tenant's blocks, oldest first.</summary>
    /// <param name="blocks">The tenant's complete blocks.</param>
    /// <param name="excluded">Blocks with a deletion or no-compact mark.</param>
    public static IReadOnlyList<DownsampleJob> Plan(IReadOnlyCollection<BlockMeta> blocks, IReadOnlySet<Ulid> excluded)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(excluded);
        var covered = new Dictionary<long, HashSet<Ulid>>();
        foreach (var b in blocks.Where(b => Resolution(b) != DownsampleResolution.Raw && !excluded.Contains(b.Ulid)))
        {
            var set = covered.TryGetValue(Resolution(b), out var s) ? s : covered[Resolution(b)] = [];
            set.UnionWith(SourcesOf(b));
        }

        var jobs = new List<DownsampleJob>();
        foreach (var b in blocks.Where(b => !excluded.Contains(b.Ulid)).OrderBy(b => b.MinTime).ThenBy(b => b.Ulid))
        {
            if (DownsampleResolution.Next(Resolution(b), b.MaxTime - b.MinTime) is not { } next)
            {
                continue;
            }

            if (!covered.TryGetValue(next, out var done) || !SourcesOf(b).All(done.Contains))
            {
                jobs.Add(new DownsampleJob(b, next));
            }
        }

        return jobs;
    }

    private static long Resolution(BlockMeta b) => b.Thanos?.DownsampleResolution ?? DownsampleResolution.Raw;

    private static IEnumerable<Ulid> SourcesOf(BlockMeta b) => b.Compaction.Sources.Count > 0 ? b.Compaction.Sources : [b.Ulid];
}
