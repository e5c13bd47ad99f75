using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// Merges nearby byte ranges into fewer object-store requests (Thanos/Mimir <c>gapBasedPartitioner</c>): two
/// ranges are read together when the gap between them is at most the max gap, trading a few unneeded bytes for
/// one request instead of two.
/// </summary>
internal static class RangePartitioner
{
    /// <summary>One request: the bytes to read and which input ranges (by index, in start order) it covers.</summary>
    internal readonly record struct Part(ByteRange Range, int First, int Count);

    /// <summary>Partitions <paramref name="ranges"/>, which must be sorted by start.</summary>
    public static List<Part> Partition(IReadOnlyList<ByteRange> ranges, long maxGap)
    {
        var parts = new List<Part>();
        int i = 0;
        while (i < ranges.Count)
        {
            int first = i;
            long start = ranges[i].Start;
            long end = ranges[i].End;
            while (++i < ranges.Count && ranges[i].Start <= end + maxGap)
            {
                end = Math.Max(end, ranges[i].End);
            }

            parts.Add(new Part(new ByteRange(start, end), first, i - first));
        }

        return parts;
    }
}
