using System.Collections.Concurrent;

namespace MetricsCluster.Core.Storage;

/// <summary>
/// Which ingesters and store-gateways one query asked, for the explain view (<c>stats=explain</c>). The querier begins a
/// trace around the evaluation; the clients that pick instances (the replicated ingester client, the sharded
/// store-gateway client, or the in-process components) record each call. It flows with the query's async calls
/// (<see cref="AsyncLocal{T}"/>), so concurrent queries never mix, and costs one null check when no trace is open.
/// </summary>
public sealed class QueryTrace
{
    private static readonly AsyncLocal<QueryTrace?> s_current = new();
    private readonly ConcurrentDictionary<(string Component, string Instance), int> _asked = new();

    /// <summary>The calls recorded so far: component ("ingester", "store-gateway"), instance id, number of calls.</summary>
    public IReadOnlyList<(string Component, string Instance, int Calls)> Asked =>
        [.. _asked.Select(kv => (kv.Key.Component, kv.Key.Instance, kv.Value)).OrderBy(a => a.Component, StringComparer.Ordinal).ThenBy(a => a.Instance, StringComparer.Ordinal)];

    /// <summary>Makes <paramref name="trace"/> the current one for the calling async flow; dispose to end it.</summary>
    public static IDisposable Begin(QueryTrace trace)
    {
        var previous = s_current.Value;
        s_current.Value = trace;
        return new Restore(previous);
    }

    /// <summary>Records a call to <paramref name="instance"/> of <paramref name="component"/> in the current trace, if any.</summary>
    public static void Record(string component, string instance)
    {
        if (s_current.Value is { } trace)
        {
            trace._asked.AddOrUpdate((component, instance), 1, (_, n) => n + 1);
        }
    }

    private sealed class Restore(QueryTrace? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}
