using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Storage;
using MetricsCluster.Tsdb.Chunks;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier;

/// <summary>
/// The querier's <see cref="IQueryable"/> over the ingesters (G3: it only sees <see cref="IIngesterClient"/>).
/// Store-gateways join in with long-term storage.
/// </summary>
public sealed class IngesterQueryable : IQueryable
{
    private readonly IIngesterClient _ingester;

    /// <summary>Creates the queryable.</summary>
    public IngesterQueryable(IIngesterClient ingester)
    {
        _ingester = ingester;
    }

    /// <inheritdoc/>
    public IQuerier Querier(string tenant, long mint, long maxt) => new IngesterQuerier(_ingester, tenant, mint, maxt);

    private sealed class IngesterQuerier(IIngesterClient ingester, string tenant, long mint, long maxt) : IQuerier
    {
        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            bool labelsOnly = hints?.Func == SelectHints.SeriesOnly;

            // The query's fetch limits are charged as each series arrives, so a query over them stops reading here.
            var limiter = QueryLimiter.Current;

            // The ingester answers in label order already, so sorted and unsorted requests are the same stream.
            await foreach (var s in ingester.SelectAsync(tenant, mint, maxt, labelsOnly, matchers, cancellationToken))
            {
                var series = new EncodedChunkSeries(s.Labels, s.Chunks, mint, maxt);
                limiter?.Add(series);
                yield return series;
            }
        }

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            ingester.LabelNamesAsync(tenant, mint, maxt, matchers, cancellationToken);

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            ingester.LabelValuesAsync(tenant, name, mint, maxt, matchers, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
