namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// Cutting the head into blocks (Prometheus' head compaction and <c>Head.Truncate</c>): raise the appendable
/// minimum, write a block from a <see cref="RangeHead"/>, then drop what is older than the new boundary.
/// </summary>
public sealed partial class Head
{
    /// <summary>
    /// Lowest timestamp an append may still carry, whatever the head's max time: the end of the last range cut
    /// into a block (Prometheus' <c>minValidTime</c>). long.MinValue until the first cut.
    /// </summary>
    public long MinValidTime => Interlocked.Read(ref _minValidTime);

    /// <summary>
    /// Raises <see cref="MinValidTime"/> to <paramref name="t"/> (never lowers it). Waits for in-flight appends,
    /// so once it returns no sample older than <paramref name="t"/> can enter the head: a snapshot of a range
    /// ending at <paramref name="t"/> is then final.
    /// </summary>
    /// <returns>The minimum before the call, for <see cref="RestoreMinValidTime"/>.</returns>
    public long SetMinValidTime(long t)
    {
        _appendGate.EnterWriteLock();
        try
        {
            long previous = Interlocked.Read(ref _minValidTime);
            RaiseMinValid(t);
            return previous;
        }
        finally
        {
            _appendGate.ExitWriteLock();
        }
    }

    /// <summary>
    /// Undoes <see cref="SetMinValidTime"/> after the block of that range could not be written (a full disk): the
    /// range is appendable again and the next compaction cuts it. Does nothing if the minimum moved on from
    /// <paramref name="raisedTo"/> meanwhile.
    /// </summary>
    /// <param name="raisedTo">The value <see cref="SetMinValidTime"/> was called with.</param>
    /// <param name="previous">The value it returned.</param>
    public void RestoreMinValidTime(long raisedTo, long previous)
    {
        _appendGate.EnterWriteLock();
        try
        {
            Interlocked.CompareExchange(ref _minValidTime, previous, raisedTo);
        }
        finally
        {
            _appendGate.ExitWriteLock();
        }
    }

    /// <summary>
    /// Drops chunks that end before <paramref name="mint"/>, removes series left without chunks from the series
    /// map and the postings, recomputes <see cref="MinTime"/> and raises <see cref="MinValidTime"/> to
    /// <paramref name="mint"/>. Appends wait while it runs, so no append can reach a removed series.
    /// A chunk that straddles <paramref name="mint"/> is kept whole (only after a flush at an unaligned time).
    /// Head chunk files whose chunks all end before <paramref name="mint"/> are deleted.
    /// </summary>
    /// <returns>The number of series removed.</returns>
    public int Truncate(long mint)
    {
        _appendGate.EnterWriteLock();
        try
        {
            RaiseMinValid(mint);
            var removed = new HashSet<ulong>();
            long newMin = long.MaxValue;
            foreach (var s in _series.All())
            {
                s.Enter();
                try
                {
                    if (s.TruncateBefore(mint))
                    {
                        removed.Add(s.Ref);
                        continue;
                    }

                    newMin = Math.Min(newMin, s.MinTime);
                }
                finally
                {
                    s.Exit();
                }
            }

            foreach (ulong r in removed)
            {
                _series.Remove(r);
            }

            _postings.Delete(removed);
            foreach (var (alias, s) in _walAliases)
            {
                if (removed.Contains(s.Ref))
                {
                    _walAliases.TryRemove(alias, out _);
                }
            }

            // Every series has dropped its refs to chunks ending before mint under its own lock, and readers read
            // chunk bytes only under that lock, so no reader can still be inside the files freed here.
            _chunks.Truncate(mint);
            Interlocked.Add(ref _numSeries, -removed.Count);
            Interlocked.Exchange(ref _minTime, newMin);
            return removed.Count;
        }
        finally
        {
            _appendGate.ExitWriteLock();
        }
    }

    /// <summary>
    /// True while the head holds a series with this reference, or one that WAL replay found logged under it too
    /// (the WAL checkpoint's keep rule).
    /// </summary>
    public bool ContainsSeries(ulong seriesRef) =>
        _series.GetByRef(seriesRef) is not null
        || (_walAliases.TryGetValue(seriesRef, out var s) && ReferenceEquals(_series.GetByRef(s.Ref), s));

    private void RaiseMinValid(long t)
    {
        long cur;
        while (t > (cur = Interlocked.Read(ref _minValidTime)) && Interlocked.CompareExchange(ref _minValidTime, t, cur) != cur)
        {
        }
    }
}
