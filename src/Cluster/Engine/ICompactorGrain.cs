namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// The compaction owner of one tenant (key: the tenant). Orleans keeps at most one activation per key in the cluster,
/// so with several compactors a tenant is compacted by one of them at a time (docs/compactor.md, "Ownership").
/// </summary>
[Alias("mc.compactor")]
public interface ICompactorGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts a compaction run of the tenant on this grain's silo unless one is running or one started less than
    /// <paramref name="minInterval"/> ago (every compactor asks each interval; only the first ask of an interval runs).
    /// Returns at once: a run may take longer than a grain call may.
    /// </summary>
    /// <param name="minInterval">The compaction interval of the asking compactor.</param>
    /// <returns>Whether this call started a run, and the silo the tenant's compaction runs on.</returns>
    [Alias("run")]
    Task<CompactorGrainRun> RunAsync(TimeSpan minInterval);
}

/// <summary>The answer of <see cref="ICompactorGrain.RunAsync"/>.</summary>
/// <param name="Started">True when this call started a run; false when one is running or ran recently.</param>
/// <param name="Owner">The instance id of the silo that owns the tenant's compaction.</param>
/// <param name="LastFailedJobs">Failed jobs of the last finished run (0 when it succeeded or none finished yet).</param>
[GenerateSerializer]
[Alias("mc.compactor-run")]
public sealed record CompactorGrainRun([property: Id(0)] bool Started, [property: Id(1)] string Owner, [property: Id(2)] int LastFailedJobs);
