using System.Text;
using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// Inverted index label name → value → sorted series refs, plus the all-postings list (key "", "").
/// Readers get copies, so a query never holds the lock while it works.
/// </summary>
internal sealed class MemPostings
{
    private readonly Dictionary<string, Dictionary<string, List<ulong>>> _m = new(StringComparer.Ordinal);
    private readonly List<ulong> _all = [];
    private readonly ReaderWriterLockSlim _lock = new();

    /// <summary>Adds a new series under each of its label pairs.</summary>
    internal void Add(ulong seriesRef, Labels labels)
    {
        // Strings are built before taking the lock; this runs once per new series.
        var pairs = new List<(string, string)>();
        foreach (var l in labels)
        {
            pairs.Add((Encoding.UTF8.GetString(l.Name), Encoding.UTF8.GetString(l.Value)));
        }

        _lock.EnterWriteLock();
        try
        {
            InsertSorted(_all, seriesRef);
            foreach (var (n, v) in pairs)
            {
                if (!_m.TryGetValue(n, out var values))
                {
                    _m[n] = values = new Dictionary<string, List<ulong>>(StringComparer.Ordinal);
                }

                if (!values.TryGetValue(v, out var list))
                {
                    values[v] = list = new List<ulong>(1);
                }

                InsertSorted(list, seriesRef);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Sorted label names.</summary>
    internal List<string> LabelNames()
    {
        _lock.EnterReadLock();
        try
        {
            var names = _m.Keys.ToList();
            names.Sort(StringComparer.Ordinal);
            return names;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Sorted values of a label name.</summary>
    internal List<string> LabelValues(string name)
    {
        _lock.EnterReadLock();
        try
        {
            var values = _m.TryGetValue(name, out var vs) ? vs.Keys.ToList() : [];
            values.Sort(StringComparer.Ordinal);
            return values;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Refs of series matching every matcher, sorted, following Prometheus' PostingsForMatchers: matchers
    /// that reject "" select the union of matching values; matchers that accept "" subtract the union of
    /// values they reject (a series without the label has value "").
    /// </summary>
    internal ulong[] ForMatchers(IReadOnlyList<Matcher> matchers)
    {
        _lock.EnterReadLock();
        try
        {
            ulong[]? result = null;
            var subtract = new List<ulong[]>();
            foreach (var m in matchers)
            {
                bool matchesEmpty = m.MatchesEmpty;
                var union = Union(m, selectMatching: !matchesEmpty);
                if (matchesEmpty)
                {
                    subtract.Add(union);
                }
                else
                {
                    result = result is null ? union : SortedSet.Intersect(result, union);
                }
            }

            result ??= [.. _all];
            foreach (var s in subtract)
            {
                result = SortedSet.Subtract(result, s);
            }

            return result;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private ulong[] Union(Matcher m, bool selectMatching)
    {
        if (!_m.TryGetValue(m.Name, out var values))
        {
            return [];
        }

        if (selectMatching && m.Type == MatcherType.Equal)
        {
            return values.TryGetValue(m.Value, out var l) ? [.. l] : [];
        }

        var lists = new List<List<ulong>>();
        foreach (var (v, list) in values)
        {
            if (m.Matches(v) == selectMatching)
            {
                lists.Add(list);
            }
        }

        return SortedSet.UnionAll(lists);
    }

    private static void InsertSorted(List<ulong> list, ulong r)
    {
        // Refs are handed out in increasing order, so this is an append except under a creation race.
        if (list.Count == 0 || list[^1] < r)
        {
            list.Add(r);
            return;
        }

        int i = list.BinarySearch(r);
        if (i < 0)
        {
            list.Insert(~i, r);
        }
    }
}
