using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;

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

    /// <summary>
    /// Adds a new series under each of its label pairs. Names and values are looked up by their UTF-8 bytes
    /// decoded into a stack buffer, so a string is allocated only for a name or value the index has never
    /// seen; series creation was GC-bound on those strings before.
    /// </summary>
    internal void Add(ulong seriesRef, Labels labels)
    {
        Span<char> chars = stackalloc char[256];
        _lock.EnterWriteLock();
        try
        {
            InsertSorted(_all, seriesRef);
            foreach (var l in labels)
            {
                var names = _m.GetAlternateLookup<ReadOnlySpan<char>>();
                var nameChars = Decode(l.Name, ref chars);
                if (!names.TryGetValue(nameChars, out var values))
                {
                    values = new Dictionary<string, List<ulong>>(StringComparer.Ordinal);
                    _m[nameChars.ToString()] = values;
                }

                var valueChars = Decode(l.Value, ref chars);
                var byValue = values.GetAlternateLookup<ReadOnlySpan<char>>();
                if (!byValue.TryGetValue(valueChars, out var list))
                {
                    list = new List<ulong>(1);
                    values[valueChars.ToString()] = list;
                }

                InsertSorted(list, seriesRef);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes deleted series from every list, and names and values left without series.</summary>
    internal void Delete(HashSet<ulong> refs)
    {
        if (refs.Count == 0)
        {
            return;
        }

        _lock.EnterWriteLock();
        try
        {
            _all.RemoveAll(refs.Contains);
            var emptyNames = new List<string>();
            foreach (var (name, values) in _m)
            {
                var emptyValues = new List<string>();
                foreach (var (value, list) in values)
                {
                    if (list.RemoveAll(refs.Contains) > 0 && list.Count == 0)
                    {
                        emptyValues.Add(value);
                    }
                }

                foreach (var v in emptyValues)
                {
                    values.Remove(v);
                }

                if (values.Count == 0)
                {
                    emptyNames.Add(name);
                }
            }

            foreach (var n in emptyNames)
            {
                _m.Remove(n);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private static ReadOnlySpan<char> Decode(ReadOnlySpan<byte> utf8, ref Span<char> buffer)
    {
        if (buffer.Length < utf8.Length)
        {
            buffer = new char[utf8.Length];
        }

        int n = Encoding.UTF8.GetChars(utf8, buffer);
        return buffer[..n];
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
    /// <paramref name="cancellationToken"/> is checked per label value: a regex over millions of values takes a while.
    /// A <c>__query_shard__</c> matcher (<see cref="QueryShard"/>) is not a postings lookup: the refs the others
    /// select are kept when <paramref name="labelsHash"/> (the series' <see cref="Labels.Hash"/>, null for a series
    /// gone since) falls in the shard, as Prometheus' head filters sharded postings by the series' cached hash.
    /// </summary>
    internal ulong[] ForMatchers(IReadOnlyList<Matcher> matchers, Func<ulong, ulong?> labelsHash, CancellationToken cancellationToken = default)
    {
        var shards = QueryShard.Split(matchers, out var others);
        var refs = ForPostingsMatchers(others, cancellationToken);
        if (shards.Length == 0)
        {
            return refs;
        }

        var kept = new List<ulong>(refs.Length / shards[0].Count + 1);
        foreach (ulong r in refs)
        {
            if (labelsHash(r) is { } h && QueryShard.ContainsAll(shards, h))
            {
                kept.Add(r);
            }
        }

        return [.. kept];
    }

    private ulong[] ForPostingsMatchers(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        _lock.EnterReadLock();
        try
        {
            ulong[]? result = null;
            var subtract = new List<ulong[]>();
            foreach (var m in matchers)
            {
                bool matchesEmpty = m.MatchesEmpty;
                var union = Union(m, !matchesEmpty, cancellationToken);
                if (matchesEmpty)
                {
                    subtract.Add(union);
                }
                else
                {
                    result = result is null ? union : RefSets.Intersect(result, union);
                }
            }

            result ??= [.. _all];
            foreach (var s in subtract)
            {
                result = RefSets.Subtract(result, s);
            }

            return result;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private ulong[] Union(Matcher m, bool selectMatching, CancellationToken cancellationToken)
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
            cancellationToken.ThrowIfCancellationRequested();
            if (m.Matches(v) == selectMatching)
            {
                lists.Add(list);
            }
        }

        return RefSets.UnionAll(lists);
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
