using MetricsCluster.Storage;

namespace MetricsCluster.Querier.Blocks;

/// <summary>
/// Chooses, per stretch of a query's time range, the blocks of the coarsest allowed resolution (Thanos'
/// <c>bucketBlockSet.getFor</c>): blocks of the coarsest resolution not above the limit are taken where they exist,
/// and every gap they leave is filled the same way from the next finer resolution, down to raw data. So a range
/// whose old part was downsampled reads 1h blocks there and raw blocks for the recent days no downsampled block
/// covers yet. With a limit of 0 only raw blocks are read.
/// </summary>
public static class ResolutionPicker
{
    /// <summary>The blocks to read for [<paramref name="mint"/>, <paramref name="maxt"/>], oldest first.</summary>
    /// <param name="blocks">Candidate blocks overlapping the range (any resolution).</param>
    /// <param name="mint">Inclusive start, ms.</param>
    /// <param name="maxt">Inclusive end, ms.</param>
    /// <param name="maxResolution">The coarsest resolution allowed, ms; 0 = raw only.</param>
    public static IReadOnlyList<BucketIndexBlock> Pick(IReadOnlyList<BucketIndexBlock> blocks, long mint, long maxt, long maxResolution)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        long[] resolutions = [.. blocks.Select(b => b.Resolution).Where(r => r <= Math.Max(0, maxResolution)).Distinct().OrderDescending()];
        var picked = new List<BucketIndexBlock>();
        Fill(blocks, mint, maxt, resolutions, 0, picked);
        return [.. picked.OrderBy(b => b.MinTime).ThenBy(b => b.Id)];
    }

    private static void Fill(IReadOnlyList<BucketIndexBlock> blocks, long mint, long maxt, long[] resolutions, int level, List<BucketIndexBlock> into)
    {
        if (level == resolutions.Length || mint > maxt)
        {
            return;
        }

        // Block max times are exclusive, query bounds inclusive: a block covers [MinTime, MaxTime - 1].
        long cursor = mint;
        foreach (var b in blocks.Where(b => b.Resolution == resolutions[level] && b.MinTime <= maxt && b.MaxTime > mint).OrderBy(b => b.MinTime).ThenBy(b => b.Id))
        {
            if (b.MinTime > cursor)
            {
                Fill(blocks, cursor, b.MinTime - 1, resolutions, level + 1, into);
            }

            into.Add(b);
            cursor = Math.Max(cursor, b.MaxTime);
        }

        Fill(blocks, cursor, maxt, resolutions, level + 1, into);
    }
}
