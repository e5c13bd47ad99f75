using System.Buffers;
using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// The read path: the primitives <see cref="RangeHead"/> exposes through <see cref="IBlockReader"/>, and query
/// shortcuts over one range of the head. Results are copies: callers never hold head locks.
/// </summary>
public sealed partial class Head
{
    /// <summary>The head limited to [<paramref name="mint"/>, <paramref name="maxt"/>] (ms, inclusive) as an <see cref="IBlockReader"/>.</summary>
    public RangeHead Range(long mint, long maxt) => new(this, mint, maxt);

    /// <summary>
    /// Series matching every matcher that have samples in [mint, maxt], sorted by labels, with their chunks
    /// overlapping the range (none when <paramref name="labelsOnly"/>); <see cref="BlockReaders.Select"/> over
    /// <see cref="Range"/>.
    /// </summary>
    public List<ChunkSeries> Select(long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken = default) =>
        BlockReaders.Select(Range(mint, maxt), mint, maxt, labelsOnly, matchers, cancellationToken);

    /// <summary>Sorted label names of the head when it overlaps [mint, maxt]; see <see cref="RangeHead.LabelNames"/>.</summary>
    public IReadOnlyList<string> LabelNames(long mint, long maxt, IReadOnlyList<Matcher> matchers) =>
        Range(mint, maxt).LabelNames(matchers, CancellationToken.None);

    /// <summary>Sorted values of <paramref name="name"/>; see <see cref="RangeHead.LabelValues"/>.</summary>
    public IReadOnlyList<string> LabelValues(string name, long mint, long maxt, IReadOnlyList<Matcher> matchers) =>
        Range(mint, maxt).LabelValues(name, matchers, CancellationToken.None);

    /// <summary>Refs of the series matching <paramref name="matchers"/> with a chunk overlapping [mint, maxt], in label order.</summary>
    internal ulong[] SortedRefs(long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        // The (labels, ref) pairs are sorted in a pooled buffer: only the answer's ref array is allocated per query.
        var hits = ArrayPool<(Labels Labels, ulong Ref)>.Shared.Rent(16);
        int count = 0;
        try
        {
            foreach (var s in SeriesFor(matchers, cancellationToken))
            {
                s.Enter();
                try
                {
                    if (s.MinTime > maxt || s.MaxTime < mint || !s.HasChunkIn(mint, maxt))
                    {
                        continue;
                    }
                }
                finally
                {
                    s.Exit();
                }

                if (count == hits.Length)
                {
                    var bigger = ArrayPool<(Labels Labels, ulong Ref)>.Shared.Rent(count * 2);
                    hits.AsSpan(0, count).CopyTo(bigger);
                    ArrayPool<(Labels Labels, ulong Ref)>.Shared.Return(hits, clearArray: true);
                    hits = bigger;
                }

                hits[count++] = (s.Labels, s.Ref);
            }

            var span = hits.AsSpan(0, count);
            span.Sort(static (a, b) => Labels.Compare(a.Labels, b.Labels));
            var refs = new ulong[count];
            for (int i = 0; i < refs.Length; i++)
            {
                refs[i] = span[i].Ref;
            }

            return refs;
        }
        finally
        {
            // Cleared: the pairs hold label arrays, which must not stay reachable from the pool.
            ArrayPool<(Labels Labels, ulong Ref)>.Shared.Return(hits, clearArray: true);
        }
    }

    /// <summary>Labels and the metas of the chunks overlapping [mint, maxt] of series <paramref name="seriesRef"/>; false when it is gone.</summary>
    internal bool SeriesChunks(ulong seriesRef, long mint, long maxt, out Labels labels, List<ChunkMeta> chunks)
    {
        var s = _series.GetByRef(seriesRef);
        if (s is null)
        {
            labels = default;
            return false;
        }

        labels = s.Labels;
        s.Enter();
        try
        {
            s.ChunkMetas(mint, maxt, chunks);
        }
        finally
        {
            s.Exit();
        }

        return true;
    }

    /// <summary>A copy of the chunk <paramref name="chunkRef"/> (a <see cref="HeadChunkRef"/>) names; empty when truncation dropped it.</summary>
    internal ChunkBytes ReadChunk(ulong chunkRef)
    {
        var (seriesRef, chunkId) = HeadChunkRef.Split(chunkRef);
        var s = _series.GetByRef(seriesRef);
        if (s is null)
        {
            return default;
        }

        s.Enter();
        try
        {
            return s.ReadChunk(chunkId);
        }
        finally
        {
            s.Exit();
        }
    }

    /// <summary>
    /// Sorted label names. Without matchers this is every name in the index when the head overlaps the range
    /// (Prometheus' head does not filter names by time); with matchers, names of the matching series.
    /// </summary>
    internal List<string> LabelNamesIn(long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        if (!Overlaps(mint, maxt))
        {
            return [];
        }

        if (matchers.Count == 0)
        {
            return _postings.LabelNames();
        }

        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var s in SeriesFor(matchers, cancellationToken))
        {
            foreach (var l in s.Labels)
            {
                names.Add(Encoding.UTF8.GetString(l.Name));
            }
        }

        return [.. names];
    }

    /// <summary>Sorted values of <paramref name="name"/>, optionally restricted to series matching <paramref name="matchers"/>.</summary>
    internal List<string> LabelValuesIn(string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        if (!Overlaps(mint, maxt))
        {
            return [];
        }

        if (matchers.Count == 0)
        {
            return _postings.LabelValues(name);
        }

        var values = new SortedSet<string>(StringComparer.Ordinal);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        foreach (var s in SeriesFor(matchers, cancellationToken))
        {
            if (s.Labels.TryGetValue(nameBytes, out var v))
            {
                values.Add(Encoding.UTF8.GetString(v));
            }
        }

        return [.. values];
    }

    private bool Overlaps(long mint, long maxt) => NumSeries > 0 && MinTime <= maxt && MaxTime >= mint;

    private IEnumerable<MemSeries> SeriesFor(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken = default)
    {
        foreach (ulong r in _postings.ForMatchers(matchers, r => _series.GetByRef(r)?.Labels.Hash, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var s = _series.GetByRef(r);
            if (s is not null)
            {
                yield return s;
            }
        }
    }
}
