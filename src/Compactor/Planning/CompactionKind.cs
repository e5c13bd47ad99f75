namespace MetricsCluster.Compactor.Planning;

/// <summary>How a job's source blocks relate to each other, which tells the merger whether it must deduplicate.</summary>
public enum CompactionKind
{
    /// <summary>
    /// Some source blocks overlap in time (typically the replicas of one 2h window uploaded by each ingester): the
    /// merge must deduplicate identical samples of one series.
    /// </summary>
    Vertical,

    /// <summary>The source blocks are disjoint in time (adjacent smaller ranges): the merge only concatenates.</summary>
    Horizontal,
}
