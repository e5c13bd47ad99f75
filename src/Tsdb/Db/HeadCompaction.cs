using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Tsdb.Db;

/// <summary>What one head compaction step did, for the owner to log and count (Tsdb does not log).</summary>
/// <param name="From">Start of the window cut (ms, inclusive).</param>
/// <param name="To">End of the window cut (ms, exclusive): the head's new minimum valid time.</param>
/// <param name="Block">The block written, or null when the window held no sample.</param>
/// <param name="SeriesRemoved">Series the head truncation removed.</param>
/// <param name="Elapsed">Time the step took.</param>
/// <param name="WalCheckpointError">
/// Why checkpointing the WAL failed, or null. The block is durable by then, so such a failure (a full disk) only delays
/// reclaiming WAL space: the next compaction checkpoints those segments.
/// </param>
public sealed record HeadCompaction(long From, long To, BlockMeta? Block, int SeriesRemoved, TimeSpan Elapsed, IOException? WalCheckpointError);
