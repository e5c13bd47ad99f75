namespace MetricsCluster.Tsdb.Block.Compaction;

/// <summary>
/// The sorted, de-duplicated union of the sources' symbol tables (Prometheus' merged string iterator), computed as
/// a k-way merge of the already sorted tables without materialising any of them.
/// </summary>
internal static class SymbolMerger
{
    /// <summary>Every symbol of <paramref name="sources"/>, strictly increasing byte-wise; slices of the mapped indexes.</summary>
    /// <exception cref="BlockMergeSourceException">A source's symbol table is not sorted.</exception>
    public static IEnumerable<ReadOnlyMemory<byte>> Merge(IReadOnlyList<MergeSource> sources)
    {
        var cursors = new List<IEnumerator<ReadOnlyMemory<byte>>>(sources.Count);
        try
        {
            foreach (var s in sources)
            {
                var e = s.Symbols().GetEnumerator();
                if (e.MoveNext())
                {
                    cursors.Add(e);
                }
                else
                {
                    e.Dispose();
                }
            }

            while (cursors.Count > 0)
            {
                var min = cursors[0].Current;
                for (int i = 1; i < cursors.Count; i++)
                {
                    if (cursors[i].Current.Span.SequenceCompareTo(min.Span) < 0)
                    {
                        min = cursors[i].Current;
                    }
                }

                yield return min;
                Advance(cursors, min);
            }
        }
        finally
        {
            cursors.ForEach(c => c.Dispose());
        }
    }

    // Moves every cursor standing on 'symbol' past it, dropping exhausted ones.
    private static void Advance(List<IEnumerator<ReadOnlyMemory<byte>>> cursors, ReadOnlyMemory<byte> symbol)
    {
        for (int i = cursors.Count - 1; i >= 0; i--)
        {
            if (cursors[i].Current.Span.SequenceEqual(symbol.Span) && !cursors[i].MoveNext())
            {
                cursors[i].Dispose();
                cursors.RemoveAt(i);
            }
        }
    }
}
