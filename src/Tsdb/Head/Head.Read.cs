using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Tsdb.Head;

/// <summary>The read path. Results are copies: callers never hold head locks.</summary>
public sealed partial class Head
{
    /// <summary>
    /// Series matching every matcher that have samples in [mint, maxt], sorted by labels, with their chunks
    /// overlapping the range (none when <paramref name="labelsOnly"/>). Series without samples in the range
    /// are left out, as Prometheus' block querier does. <paramref name="cancellationToken"/> reaches the matching
    /// of label values and the loop over series, so a cancelled query stops here too.
    /// </summary>
    public List<ChunkSeries> Select(long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken = default)
    {
        var result = new List<ChunkSeries>();
        foreach (var s in SeriesFor(matchers, cancellationToken))
        {
            List<EncodedChunk> chunks;
            s.Enter();
            try
            {
                if (s.MinTime > maxt || s.MaxTime < mint)
                {
                    continue;
                }

                if (labelsOnly)
                {
                    // Same inclusion rule as with chunks, without copying the open chunk.
                    if (s.HasChunkIn(mint, maxt))
                    {
                        result.Add(new ChunkSeries(s.Labels, []));
                    }

                    continue;
                }

                chunks = new List<EncodedChunk>(2);
                s.CollectChunks(mint, maxt, chunks);
            }
            finally
            {
                s.Exit();
            }

            if (chunks.Count > 0)
            {
                result.Add(new ChunkSeries(s.Labels, chunks));
            }
        }

        result.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
        return result;
    }

    /// <summary>
    /// Sorted label names. Without matchers this is every name in the index when the head overlaps the range
    /// (Prometheus' head does not filter names by time); with matchers, names of the matching series.
    /// </summary>
    public List<string> LabelNames(long mint, long maxt, IReadOnlyList<Matcher> matchers)
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
        foreach (var s in SeriesFor(matchers))
        {
            foreach (var l in s.Labels)
            {
                names.Add(Encoding.UTF8.GetString(l.Name));
            }
        }

        return [.. names];
    }

    /// <summary>Sorted values of <paramref name="name"/>, optionally restricted to series matching <paramref name="matchers"/>.</summary>
    public List<string> LabelValues(string name, long mint, long maxt, IReadOnlyList<Matcher> matchers)
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
        foreach (var s in SeriesFor(matchers))
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
