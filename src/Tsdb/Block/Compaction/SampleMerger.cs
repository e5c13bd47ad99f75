namespace MetricsCluster.Tsdb.Block.Compaction;

/// <summary>
/// Merges the sample streams of one series held by several sources into one stream by timestamp, each timestamp
/// once. When sources disagree on the value at a timestamp, the source listed first in the merge (the lowest index
/// in <c>sourceBlockDirs</c>) wins: deterministic, and what Prometheus' chained merge does for the first iterator of
/// its merge order. Replicas of one ingester write carry identical samples, so normally there is nothing to choose.
/// Reused for every series; not thread-safe.
/// </summary>
internal sealed class SampleMerger
{
    private readonly List<SourceSamples> _inputs = [];
    private readonly List<bool> _live = [];

    /// <summary>Starts a merge over <paramref name="holders"/>, in source order, each positioned on the same series.</summary>
    public void Reset(IReadOnlyList<MergeSource> holders)
    {
        _inputs.Clear();
        _live.Clear();
        foreach (var h in holders)
        {
            _inputs.Add(h.Samples);
            _live.Add(h.Samples.Next());
        }
    }

    /// <summary>Returns the next sample of the merged stream; false at its end.</summary>
    /// <exception cref="BlockMergeSourceException">A source's chunk is damaged.</exception>
    public bool Next(out long t, out double v)
    {
        // A linear scan: a series is held by a handful of sources (3 replicas, or 6 adjacent blocks at most
        // once each), so O(sources) per sample is cheaper than a heap. Strict '<' keeps the first source on ties.
        int best = -1;
        for (int i = 0; i < _inputs.Count; i++)
        {
            if (_live[i] && (best < 0 || _inputs[i].T < _inputs[best].T))
            {
                best = i;
            }
        }

        if (best < 0)
        {
            t = 0;
            v = 0;
            return false;
        }

        t = _inputs[best].T;
        v = _inputs[best].V;
        for (int i = 0; i < _inputs.Count; i++)
        {
            if (_live[i] && _inputs[i].T == t)
            {
                _live[i] = _inputs[i].Next();
            }
        }

        return true;
    }
}
