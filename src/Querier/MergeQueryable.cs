using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier;

/// <summary>Which store a query's time range goes to (G5; Mimir <c>querier.Config</c>).</summary>
public sealed class MergeQueryableOptions
{
    /// <summary>
    /// Ingesters are asked only when the query ends within this long of now, and only for that part of the range;
    /// zero asks them always (<c>--querier.query-ingesters-within</c>).
    /// </summary>
    public TimeSpan QueryIngestersWithin { get; set; } = TimeSpan.FromHours(13);

    /// <summary>
    /// The long-term store is asked only when the query starts more than this long ago, and only up to then; zero
    /// asks it always (<c>--querier.query-store-after</c>).
    /// </summary>
    public TimeSpan QueryStoreAfter { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Throws when the settings leave a gap no store answers for, naming the flags.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        if (QueryIngestersWithin < TimeSpan.Zero || QueryStoreAfter < TimeSpan.Zero)
        {
            throw new ArgumentException("querier.query-ingesters-within and querier.query-store-after must not be negative");
        }

        // Mimir's rule: otherwise samples between the two horizons are asked of nobody.
        if (QueryIngestersWithin > TimeSpan.Zero && QueryStoreAfter >= QueryIngestersWithin)
        {
            throw new ArgumentException(
                "querier.query-store-after must be less than querier.query-ingesters-within (--querier.query-store-after, --querier.query-ingesters-within)");
        }
    }
}

/// <summary>
/// The querier's <see cref="IQueryable"/> over recent data in the ingesters and older data in the store-gateways
/// (Mimir <c>querier.New</c> with the distributor and blocks-store queryables). Each side is asked only for the
/// part of the range it holds; series are merged by label set and a timestamp present in both sides (the overlap
/// between the two horizons, or a block still in the ingester after shipping) is returned once.
/// </summary>
public sealed class MergeQueryable : IQueryable
{
    private readonly IQueryable _ingesters;
    private readonly IQueryable _store;
    private readonly MergeQueryableOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="MergeQueryable"/> class.</summary>
    /// <param name="ingesters">Recent data.</param>
    /// <param name="store">Long-term storage (the store-gateway).</param>
    /// <param name="options">The two horizons; validated here.</param>
    /// <param name="time">The clock the horizons are measured from (G6).</param>
    public MergeQueryable(IQueryable ingesters, IQueryable store, MergeQueryableOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _ingesters = ingesters;
        _store = store;
        _options = options;
        _time = time;
    }

    /// <inheritdoc/>
    public IQuerier Querier(string tenant, long mint, long maxt)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var parts = new List<IQuerier>(2);

        long within = (long)_options.QueryIngestersWithin.TotalMilliseconds;
        if (within == 0 || maxt >= now - within)
        {
            parts.Add(_ingesters.Querier(tenant, within == 0 ? mint : Math.Max(mint, now - within), maxt));
        }

        long after = (long)_options.QueryStoreAfter.TotalMilliseconds;
        if (after == 0 || mint < now - after)
        {
            parts.Add(_store.Querier(tenant, mint, after == 0 ? maxt : Math.Min(maxt, now - after)));
        }

        return parts.Count == 1 ? parts[0] : new MergeQuerier(parts);
    }

    /// <summary>Merges the answers of several queriers; ingesters first, so their value wins a shared timestamp.</summary>
    private sealed class MergeQuerier(List<IQuerier> parts) : IQuerier
    {
        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            // Both sides answer sorted by labels, but merging needs every source's series of one label set together;
            // a dictionary over both answers is the simple correct form until streaming merge is needed.
            var sets = parts.Select(p => p.SelectAsync(true, hints, matchers, cancellationToken)).ToList();
            foreach (var s in await SeriesSets.MergeAsync(sets, cancellationToken).ConfigureAwait(false))
            {
                yield return s;
            }
        }

        public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
        {
            var names = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var p in parts)
            {
                names.UnionWith(await p.LabelNamesAsync(matchers, cancellationToken).ConfigureAwait(false));
            }

            return [.. names];
        }

        public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
        {
            var values = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var p in parts)
            {
                values.UnionWith(await p.LabelValuesAsync(name, matchers, cancellationToken).ConfigureAwait(false));
            }

            return [.. values];
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var p in parts)
            {
                await p.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
