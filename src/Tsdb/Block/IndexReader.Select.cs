using MetricsCluster.Core;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.Tsdb.Block;

/// <summary>Matcher evaluation over the postings lists.</summary>
public sealed partial class IndexReader
{
    /// <summary>
    /// Refs (ascending, hence in label order) of the series matching every matcher, with Prometheus'
    /// <c>PostingsForMatchers</c> semantics: a matcher that rejects "" intersects the union of the postings of
    /// the values it accepts; a matcher that accepts "" (a missing label has value "") subtracts the union of
    /// the postings of the values it rejects. With no rejecting-"" matcher the start set is the all-postings
    /// list ("", ""); with no matchers at all, every series is returned. A <c>__query_shard__</c> matcher
    /// (<see cref="QueryShard"/>) keeps the refs whose series' labels hash falls in the shard: the series entry's
    /// labels are read for that (no chunk is), as Prometheus' block index filters sharded postings.
    /// </summary>
    /// <param name="matchers">The matchers.</param>
    /// <param name="cancellationToken">Checked per label value a matcher is tested on.</param>
    /// <exception cref="BlockCorruptionException">A postings list is damaged.</exception>
    public ulong[] SelectSeriesRefs(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var shards = QueryShard.Split(matchers, out var others);
        var refs = PostingsForMatchers(others, cancellationToken);
        if (shards.Length == 0)
        {
            return refs;
        }

        var kept = new List<ulong>(refs.Length / shards[0].Count + 1);
        foreach (ulong r in refs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (QueryShard.ContainsAll(shards, SeriesLabels(r).Hash))
            {
                kept.Add(r);
            }
        }

        return [.. kept];
    }

    private ulong[] PostingsForMatchers(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        ulong[]? result = null;
        List<ulong[]>? subtract = null;
        foreach (var m in matchers)
        {
            bool matchesEmpty = m.MatchesEmpty;
            var union = UnionOfValues(m, !matchesEmpty, cancellationToken);
            if (matchesEmpty)
            {
                (subtract ??= []).Add(union);
            }
            else
            {
                result = result is null ? union : RefSets.Intersect(result, union);
            }

            if (result is { Length: 0 })
            {
                return [];
            }
        }

        result ??= AllPostings();
        foreach (var s in subtract ?? [])
        {
            result = RefSets.Subtract(result, s);
        }

        return result;
    }

    /// <summary>Union of the postings of the values of m's label for which <c>m.Matches(v) == selectMatching</c>.</summary>
    private ulong[] UnionOfValues(Matcher m, bool selectMatching, CancellationToken cancellationToken)
    {
        if (!_postingsTable.Value.Postings.TryGetValue(m.Name, out var entries))
        {
            return [];
        }

        if (selectMatching && m.Type == MatcherType.Equal)
        {
            return entries.Offsets.TryGetValue(m.Value, out long off) ? ReadPostings(off) : [];
        }

        var lists = new List<ulong[]>();
        foreach (string v in entries.Values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (m.Matches(v) == selectMatching)
            {
                lists.Add(ReadPostings(entries.Offsets[v]));
            }
        }

        return Union(lists);
    }

    private static ulong[] Union(List<ulong[]> lists)
    {
        if (lists.Count == 0)
        {
            return [];
        }

        if (lists.Count == 1)
        {
            return lists[0];
        }

        // Values of one label name have disjoint postings, so this is a concatenation plus one sort.
        var all = new List<ulong>(lists.Sum(l => l.Length));
        foreach (var l in lists)
        {
            all.AddRange(l);
        }

        all.Sort();
        return [.. all.Distinct()];
    }
}
