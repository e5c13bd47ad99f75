using System.Diagnostics.CodeAnalysis;
using MetricsCluster.Core;

namespace MetricsCluster.Agent.Scrape;

/// <summary>
/// Per-target cache from a series' raw text on the page to its final labels (Prometheus' <c>scrapeCache</c>, G13):
/// in steady state every line is a lookup by span, with no label parsing, relabeling or allocation. Entries not
/// seen for <see cref="EvictAfterScrapes"/> successful scrapes are dropped. None of its methods are thread-safe;
/// the owning loop is its only user.
/// </summary>
internal sealed class SeriesCache
{
    /// <summary>Entries unseen for this many successful scrapes are evicted.</summary>
    internal const int EvictAfterScrapes = 2;

    private readonly Dictionary<byte[], Entry> _map;
    private readonly Dictionary<byte[], Entry>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private long _iteration;

    public SeriesCache()
    {
        _map = new Dictionary<byte[], Entry>(ByteArrayComparer.Instance);
        _lookup = _map.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Number of cached series texts.</summary>
    public int Count => _map.Count;

    /// <summary>Finds <paramref name="raw"/> and marks it seen in this scrape.</summary>
    public bool TryGet(ReadOnlySpan<byte> raw, [NotNullWhen(true)] out Entry? entry)
    {
        if (_lookup.TryGetValue(raw, out entry))
        {
            entry.LastSeen = _iteration;
            return true;
        }

        return false;
    }

    /// <summary>Caches a series text; <paramref name="labels"/> null means metric relabeling dropped it.</summary>
    public Entry Add(ReadOnlySpan<byte> raw, Labels? labels)
    {
        var entry = new Entry(labels ?? Labels.Empty, labels is null) { LastSeen = _iteration };
        _map[raw.ToArray()] = entry;
        return entry;
    }

    /// <summary>Ends a successful scrape: evicts stale entries and starts the next iteration.</summary>
    public void EndScrape()
    {
        foreach (var (key, entry) in _map)
        {
            if (_iteration - entry.LastSeen >= EvictAfterScrapes)
            {
                _map.Remove(key);
            }
        }

        _iteration++;
    }

    /// <summary>One cached series.</summary>
    internal sealed class Entry(Labels labels, bool dropped)
    {
        /// <summary>The final labels (target labels merged, relabeled).</summary>
        public Labels Labels { get; } = labels;

        /// <summary>Metric relabeling dropped the series.</summary>
        public bool Dropped { get; } = dropped;

        /// <summary>The iteration that last saw it.</summary>
        public long LastSeen { get; set; }
    }

    /// <summary>Byte-wise equality for the keys, with a span alternate so lookups need no array.</summary>
    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)XxHash64.Hash(alternate);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
