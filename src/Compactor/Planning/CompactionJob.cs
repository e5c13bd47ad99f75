using System.Globalization;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Compactor.Planning;

/// <summary>
/// One planned merge: source blocks of one group and shard whose time ranges fall inside the aligned range
/// [<see cref="RangeStart"/>, <see cref="RangeEnd"/>) (Mimir's split-merge <c>job</c> of the merge stage).
/// Immutable.
/// </summary>
public sealed class CompactionJob
{
    /// <summary>Creates a job; <paramref name="blocks"/> must be non-empty and is kept sorted by min time, then ULID.</summary>
    /// <param name="group">The group of every source block.</param>
    /// <param name="shardId">The split shard of every source block; empty for blocks never split (and for a split job).</param>
    /// <param name="rangeStart">The aligned range start, ms.</param>
    /// <param name="rangeEnd">The aligned range end, ms.</param>
    /// <param name="blocks">The source blocks.</param>
    /// <param name="splitShards">0 for a merge job; for a split job (Mimir's split stage) the number of shard blocks it writes.</param>
    public CompactionJob(CompactionGroupKey group, string shardId, long rangeStart, long rangeEnd, IEnumerable<BlockMeta> blocks, int splitShards = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(splitShards);
        ArgumentNullException.ThrowIfNull(shardId);
        ArgumentNullException.ThrowIfNull(blocks);
        Group = group;
        ShardId = shardId;
        RangeStart = rangeStart;
        RangeEnd = rangeEnd;
        Blocks = [.. blocks.OrderBy(b => b.MinTime).ThenBy(b => b.Ulid)];
        if (Blocks.Count == 0)
        {
            throw new ArgumentException("a compaction job needs at least one block", nameof(blocks));
        }

        MinTime = Blocks.Min(b => b.MinTime);
        MaxTime = Blocks.Max(b => b.MaxTime);
        MinCompactionLevel = Blocks.Min(b => b.Compaction.Level);
        MaxCompactionLevel = Blocks.Max(b => b.Compaction.Level);
        Kind = HasOverlap(Blocks) ? CompactionKind.Vertical : CompactionKind.Horizontal;
        SplitShards = splitShards;
        Key = splitShards > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{group}-split-{splitShards}-{rangeStart}-{rangeEnd}")
            : string.Create(CultureInfo.InvariantCulture, $"{group}-merge-{shardId}-{rangeStart}-{rangeEnd}");
    }

    /// <summary>Gets the group (resolution and external labels) every source block belongs to.</summary>
    public CompactionGroupKey Group { get; }

    /// <summary>Gets the split shard of every source block; empty for blocks never split.</summary>
    public string ShardId { get; }

    /// <summary>Gets the aligned range start in ms (inclusive): a multiple of the range length.</summary>
    public long RangeStart { get; }

    /// <summary>Gets the aligned range end in ms (exclusive).</summary>
    public long RangeEnd { get; }

    /// <summary>Gets the length of the compaction range this job was planned for, in ms.</summary>
    public long RangeLength => RangeEnd - RangeStart;

    /// <summary>Gets the source blocks, sorted by min time then ULID.</summary>
    public IReadOnlyList<BlockMeta> Blocks { get; }

    /// <summary>Gets the lowest min time of the source blocks.</summary>
    public long MinTime { get; }

    /// <summary>Gets the highest max time of the source blocks.</summary>
    public long MaxTime { get; }

    /// <summary>Gets the lowest compaction level of the source blocks (1 = a job holding an ingester's block).</summary>
    public int MinCompactionLevel { get; }

    /// <summary>Gets the highest compaction level of the source blocks.</summary>
    public int MaxCompactionLevel { get; }

    /// <summary>Gets the number of shard blocks a split job writes; 0 for a merge job.</summary>
    public int SplitShards { get; }

    /// <summary>Gets whether this is a split job: its never-split sources are merged and split by series into <see cref="SplitShards"/> blocks.</summary>
    public bool IsSplit => SplitShards > 0;

    /// <summary>Gets whether the blocks overlap (vertical, deduplicating) or are adjacent (horizontal).</summary>
    public CompactionKind Kind { get; }

    /// <summary>
    /// Gets a unique, stable identifier of the job within a tenant: <c>&lt;group&gt;-merge-&lt;shard&gt;-&lt;start&gt;-&lt;end&gt;</c>,
    /// or <c>&lt;group&gt;-split-&lt;shards&gt;-&lt;start&gt;-&lt;end&gt;</c> (Mimir's group keys).
    /// </summary>
    public string Key { get; }

    /// <summary>Gets the source block ids in ULID order, as the merged block's meta lists its parents.</summary>
    public IReadOnlyList<Ulid> BlockIds => [.. Blocks.Select(b => b.Ulid).Order()];

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Kind} {Key} (minTime: {MinTime} maxTime: {MaxTime}, {Blocks.Count} blocks)");

    private static bool HasOverlap(IReadOnlyList<BlockMeta> sortedByMinTime)
    {
        // Sorted by min time, a block overlaps an earlier one exactly when it starts before the highest max time so
        // far (max times are exclusive, so a block starting at another's max time is adjacent, not overlapping).
        long maxSoFar = sortedByMinTime[0].MaxTime;
        for (int i = 1; i < sortedByMinTime.Count; i++)
        {
            if (sortedByMinTime[i].MinTime < maxSoFar)
            {
                return true;
            }

            maxSoFar = Math.Max(maxSoFar, sortedByMinTime[i].MaxTime);
        }

        return false;
    }
}
