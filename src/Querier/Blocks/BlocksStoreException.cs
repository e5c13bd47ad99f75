namespace MetricsCluster.Querier.Blocks;

/// <summary>
/// The long-term store cannot give a complete answer (a block that should have been read was not, or the block list is
/// stale). The query fails with this message rather than returning partial results, as Mimir does.
/// </summary>
public sealed class BlocksStoreException(string message) : Exception(message);
