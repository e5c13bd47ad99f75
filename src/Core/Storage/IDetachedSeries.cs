namespace MetricsCluster.Core.Storage;

/// <summary>
/// A series that owns its data (copied chunk bytes or decoded samples: no block lease, no memory-mapped file, no
/// pooled buffer), so it may be iterated again, any number of times, after the select that returned it has ended.
/// The query engine keeps such a series as it came and decodes it when evaluation reaches it, instead of holding
/// every selected sample decoded for the whole query.
/// </summary>
public interface IDetachedSeries : ISeries
{
}
