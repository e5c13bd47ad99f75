using System.Collections.Concurrent;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Storage;

/// <summary>The blocks a store-gateway read for one request (Mimir's <c>queriedBlocks</c> hint); thread-safe.</summary>
public sealed class QueriedBlocks
{
    private readonly ConcurrentDictionary<Ulid, byte> _ids = new();

    /// <summary>Gets the IDs recorded so far.</summary>
    public IReadOnlyCollection<Ulid> Ids => [.. _ids.Keys];

    /// <summary>Records that <paramref name="id"/> was read completely.</summary>
    /// <param name="id">The block.</param>
    public void Add(Ulid id) => _ids.TryAdd(id, 0);

    /// <summary>Whether <paramref name="id"/> was read.</summary>
    /// <param name="id">The block.</param>
    /// <returns>True when recorded.</returns>
    public bool Contains(Ulid id) => _ids.ContainsKey(id);
}
