using System.Diagnostics;
using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// What one query read from storage, for <c>stats=all</c> (Prometheus' <c>samples</c> and <c>timings</c>) and the UI's
/// explain view (<c>stats=explain</c>: every selector with the time range it fetched). Collected by wrapping the
/// query's <see cref="IQueryable"/>, so the engine itself is unchanged: a sample counts as loaded when the engine
/// steps an iterator onto it. Safe for the concurrent selects of one query.
/// </summary>
public sealed class QueryStats
{
    private readonly List<SelectorStats> _selectors = [];

    /// <summary>Every select of the query, in the order they began.</summary>
    public IReadOnlyList<SelectorStats> Selectors
    {
        get
        {
            lock (_selectors)
            {
                return [.. _selectors];
            }
        }
    }

    /// <summary>Samples loaded over every selector.</summary>
    public long TotalSamples => Selectors.Sum(s => s.Samples);

    /// <summary>Time spent in storage (selecting and iterating), over every selector.</summary>
    public TimeSpan StorageTime => TimeSpan.FromTicks(Selectors.Sum(s => s.Elapsed.Ticks));

    /// <summary>Wraps <paramref name="inner"/> so its reads are counted here.</summary>
    public IQueryable Wrap(IQueryable inner) => new StatsQueryable(inner, this);

    /// <summary>Which ingesters and store-gateways the query asked (recorded while <see cref="Trace"/> is current).</summary>
    public QueryTrace Trace { get; } = new();

    private SelectorStats Add(IReadOnlyList<Matcher> matchers, long mint, long maxt, SelectHints? hints)
    {
        var s = new SelectorStats(string.Join(", ", matchers.Select(m => m.ToString())), mint, maxt, hints?.Step ?? 0, hints?.Func);
        lock (_selectors)
        {
            _selectors.Add(s);
        }

        return s;
    }

    private sealed class StatsQueryable(IQueryable inner, QueryStats stats) : IQueryable
    {
        public IQuerier Querier(string tenant, long mint, long maxt) => new StatsQuerier(inner.Querier(tenant, mint, maxt), stats, mint, maxt);
    }

    private sealed class StatsQuerier(IQuerier inner, QueryStats stats, long mint, long maxt) : IQuerier
    {
        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var s = stats.Add(matchers, mint, maxt, hints);
            var e = inner.SelectAsync(sorted, hints, matchers, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    long began = Stopwatch.GetTimestamp();
                    bool more = await e.MoveNextAsync();
                    s.AddTime(Stopwatch.GetElapsedTime(began));
                    if (!more)
                    {
                        break;
                    }

                    s.AddSeries();
                    yield return new CountingSeries(e.Current, s);
                }
            }
            finally
            {
                await e.DisposeAsync();
            }
        }

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) => inner.LabelNamesAsync(matchers, cancellationToken);

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            inner.LabelValuesAsync(name, matchers, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class CountingSeries(ISeries inner, SelectorStats stats) : ISeries
    {
        public Labels Labels => inner.Labels;

        public SampleIterator Iterator(SampleIterator? reuse) => new CountingIterator(inner.Iterator((reuse as CountingIterator)?.Inner), stats);
    }

    /// <summary>Counts the samples the engine steps onto and the time spent decoding them.</summary>
    private sealed class CountingIterator(SampleIterator inner, SelectorStats stats) : SampleIterator
    {
        internal SampleIterator Inner => inner;

        public override long T => inner.T;

        public override double V => inner.V;

        public override Exception? Error => inner.Error;

        public override bool Next()
        {
            long began = Stopwatch.GetTimestamp();
            bool ok = inner.Next();
            stats.AddTime(Stopwatch.GetElapsedTime(began));
            if (ok)
            {
                stats.AddSamples(1);
            }

            return ok;
        }

        public override bool Seek(long t)
        {
            long began = Stopwatch.GetTimestamp();
            bool ok = inner.Seek(t);
            stats.AddTime(Stopwatch.GetElapsedTime(began));
            if (ok)
            {
                stats.AddSamples(1);
            }

            return ok;
        }
    }
}

/// <summary>One select of a query: its matchers, the range it fetched, and what it loaded.</summary>
public sealed class SelectorStats
{
    private long _series;
    private long _samples;
    private long _ticks;

    /// <summary>Creates the record of one select.</summary>
    /// <param name="matchers">The matchers, as PromQL prints them.</param>
    /// <param name="minTime">First millisecond fetched (the evaluation range widened by lookback, range and offset).</param>
    /// <param name="maxTime">Last millisecond fetched.</param>
    /// <param name="step">The query step in ms (0 for an instant query).</param>
    /// <param name="func">The surrounding function the engine hinted, if any.</param>
    public SelectorStats(string matchers, long minTime, long maxTime, long step, string? func)
    {
        Matchers = matchers;
        MinTime = minTime;
        MaxTime = maxTime;
        Step = step;
        Func = func;
    }

    /// <summary>The matchers, as PromQL prints them.</summary>
    public string Matchers { get; }

    /// <summary>First millisecond fetched.</summary>
    public long MinTime { get; }

    /// <summary>Last millisecond fetched.</summary>
    public long MaxTime { get; }

    /// <summary>The query step in ms (0 for an instant query).</summary>
    public long Step { get; }

    /// <summary>The surrounding function the engine hinted, if any.</summary>
    public string? Func { get; }

    /// <summary>Series returned.</summary>
    public long Series => Interlocked.Read(ref _series);

    /// <summary>Samples the engine stepped onto.</summary>
    public long Samples => Interlocked.Read(ref _samples);

    /// <summary>Time in storage: selecting, streaming and decoding.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    internal void AddSeries() => Interlocked.Increment(ref _series);

    internal void AddSamples(long n) => Interlocked.Add(ref _samples, n);

    internal void AddTime(TimeSpan t) => Interlocked.Add(ref _ticks, t.Ticks);
}
