namespace MetricsCluster.Core.Storage;

/// <summary>
/// One series read from several sources with the same labels (Prometheus <c>storage.ChainedSeriesMerge</c>): its
/// iterator merges the sources by timestamp and returns a timestamp once, taking the value of the first source
/// that has it, so replicas and overlapping blocks never yield duplicates.
/// </summary>
public class MergedSeries : ISeries
{
    private readonly IReadOnlyList<ISeries> _sources;

    /// <summary>Creates the series; every source must carry <paramref name="labels"/>.</summary>
    /// <param name="labels">The common label set.</param>
    /// <param name="sources">The sources, in priority order for equal timestamps.</param>
    public MergedSeries(Labels labels, IReadOnlyList<ISeries> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        Labels = labels;
        _sources = sources;
    }

    /// <inheritdoc/>
    public Labels Labels { get; }

    /// <summary>
    /// The series read from <paramref name="sources"/>: the one source itself, else their merge, which owns its data
    /// (<see cref="IDetachedSeries"/>, so the engine may keep it undecoded) when every source does.
    /// </summary>
    public static ISeries Of(Labels labels, IReadOnlyList<ISeries> sources) =>
        sources.Count == 1 ? sources[0]
        : sources.All(s => s is IDetachedSeries) ? new DetachedMergedSeries(labels, sources)
        : new MergedSeries(labels, sources);

    /// <inheritdoc/>
    public SampleIterator Iterator(SampleIterator? reuse)
    {
        if (_sources.Count == 1)
        {
            return _sources[0].Iterator(reuse);
        }

        var its = new SampleIterator[_sources.Count];
        for (int i = 0; i < its.Length; i++)
        {
            its[i] = _sources[i].Iterator(null);
        }

        return new MergingIterator(its);
    }

    /// <summary>
    /// A k-way merge over a handful of iterators; k is the number of replicas or overlapping blocks (small), so
    /// a linear scan for the minimum beats a heap.
    /// </summary>
    private sealed class MergingIterator : SampleIterator
    {
        private readonly SampleIterator[] _its;
        private readonly bool[] _live;
        private long _t;
        private double _v;
        private bool _started;
        private Exception? _error;

        public MergingIterator(SampleIterator[] its)
        {
            _its = its;
            _live = new bool[its.Length];
        }

        public override long T => _t;

        public override double V => _v;

        public override Exception? Error => _error;

        public override bool Next()
        {
            if (!_started)
            {
                _started = true;
                for (int i = 0; i < _its.Length; i++)
                {
                    _live[i] = Advance(i);
                }
            }
            else
            {
                // Every source positioned at the sample just returned moves past it; this drops the duplicates.
                for (int i = 0; i < _its.Length; i++)
                {
                    if (_live[i] && _its[i].T == _t)
                    {
                        _live[i] = Advance(i);
                    }
                }
            }

            int min = -1;
            for (int i = 0; i < _its.Length; i++)
            {
                if (_live[i] && (min < 0 || _its[i].T < _its[min].T))
                {
                    min = i;
                }
            }

            if (min < 0 || _error is not null)
            {
                return false;
            }

            _t = _its[min].T;
            _v = _its[min].V;
            return true;
        }

        private bool Advance(int i)
        {
            if (_its[i].Next())
            {
                return true;
            }

            _error ??= _its[i].Error;
            return false;
        }
    }
}

/// <summary>A series whose samples are held in an array (already decoded, owned by the series).</summary>
public sealed class SampleArraySeries : IDetachedSeries
{
    private readonly Sample[] _samples;

    /// <summary>Creates the series over <paramref name="samples"/>, which must be sorted by time without duplicates.</summary>
    /// <param name="labels">The label set.</param>
    /// <param name="samples">The samples; not copied.</param>
    public SampleArraySeries(Labels labels, Sample[] samples)
    {
        Labels = labels;
        _samples = samples;
    }

    /// <inheritdoc/>
    public Labels Labels { get; }

    /// <summary>The samples.</summary>
    public ReadOnlySpan<Sample> Samples => _samples;

    /// <inheritdoc/>
    public SampleIterator Iterator(SampleIterator? reuse)
    {
        if (reuse is ArrayIterator it)
        {
            it.Reset(_samples);
            return it;
        }

        return new ArrayIterator(_samples);
    }

    private sealed class ArrayIterator(Sample[] samples) : SampleIterator
    {
        private Sample[] _samples = samples;
        private int _i = -1;

        public override long T => _samples[_i].T;

        public override double V => _samples[_i].V;

        public override bool Next() => ++_i < _samples.Length;

        public void Reset(Sample[] samples)
        {
            _samples = samples;
            _i = -1;
        }
    }
}

/// <summary>Merges series sets from several sources by label set (Prometheus <c>storage.NewMergeSeriesSet</c>).</summary>
public static class SeriesSets
{
    /// <summary>
    /// Reads every set and returns one series per label set, sorted by <see cref="Labels.Compare"/>; label sets seen
    /// in several sets become a <see cref="MergedSeries"/> with the sources in the order of <paramref name="sets"/>.
    /// </summary>
    /// <param name="sets">The sources; each is read to its end.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The merged, sorted series.</returns>
    public static async Task<List<ISeries>> MergeAsync(IReadOnlyList<IAsyncEnumerable<ISeries>> sets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var read = new List<List<ISeries>>(sets.Count);
        foreach (var set in sets)
        {
            var list = new List<ISeries>();
            await foreach (var s in set.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                list.Add(s);
            }

            read.Add(list);
        }

        return Merge(read);
    }

    /// <summary>As <see cref="MergeAsync"/>, over sets already read.</summary>
    /// <param name="sets">The sources, in priority order for equal timestamps.</param>
    /// <returns>The merged, sorted series.</returns>
    public static List<ISeries> Merge(IEnumerable<IEnumerable<ISeries>> sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var byLabels = new Dictionary<Labels, List<ISeries>>();
        foreach (var set in sets)
        {
            foreach (var s in set)
            {
                if (!byLabels.TryGetValue(s.Labels, out var list))
                {
                    list = [];
                    byLabels[s.Labels] = list;
                }

                list.Add(s);
            }
        }

        var result = new List<ISeries>(byLabels.Count);
        foreach (var (labels, list) in byLabels)
        {
            result.Add(MergedSeries.Of(labels, list));
        }

        result.Sort(static (a, b) => Labels.Compare(a.Labels, b.Labels));
        return result;
    }
}

/// <summary>A <see cref="MergedSeries"/> of sources that all own their data, so it owns its data too.</summary>
internal sealed class DetachedMergedSeries(Labels labels, IReadOnlyList<ISeries> sources) : MergedSeries(labels, sources), IDetachedSeries;
