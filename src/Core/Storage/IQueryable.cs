namespace MetricsCluster.Core.Storage;

/// <summary>
/// The only view PromQL and the query API have of data (G7): a tenant's samples in a closed time range.
/// Implemented by the querier over ingesters (and, later, store-gateways).
/// </summary>
public interface IQueryable
{
    /// <summary>Opens a querier for one tenant over [mint, maxt] (ms, both inclusive).</summary>
    IQuerier Querier(string tenant, long mint, long maxt);
}

/// <summary>Reads series, label names and values for one tenant and time range.</summary>
public interface IQuerier : IAsyncDisposable
{
    /// <summary>
    /// Streams the series matching all <paramref name="matchers"/>. When <paramref name="sorted"/> is
    /// true they come in <see cref="Labels.Compare"/> order. <see cref="SelectHints.Func"/> = "series"
    /// asks for label sets only (iterators may then be empty).
    /// </summary>
    IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken);

    /// <summary>Sorted label names of series matching <paramref name="matchers"/> (all series when empty).</summary>
    ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken);

    /// <summary>Sorted values of <paramref name="name"/> over series matching <paramref name="matchers"/>.</summary>
    ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken);
}

/// <summary>What the caller will do with the data (Prometheus' storage.SelectHints).</summary>
/// <param name="Start">Start of the evaluation (ms).</param>
/// <param name="End">End of the evaluation (ms).</param>
/// <param name="Step">Query step (ms), 0 for instant queries.</param>
/// <param name="Func">
/// Surrounding function or aggregation (Prometheus' <c>extractFuncFromPath</c>); "series" means labels only. Stores
/// holding downsampled blocks pick the aggregate to return by it (docs/query-api.md#downsampled-data).
/// </param>
/// <param name="MaxSourceResolution">
/// The coarsest downsampling resolution (ms) the answer may come from (Thanos' <c>max_source_resolution</c>): 0 = raw
/// data only; null = automatic, a fifth of <paramref name="Step"/>.
/// </param>
public sealed record SelectHints(long Start, long End, long Step = 0, string? Func = null, long? MaxSourceResolution = null)
{
    /// <summary>
    /// The coarsest resolution (ms) allowed: <see cref="MaxSourceResolution"/>, or a fifth of the step when it is
    /// unset, so a downsampled block is used only when the step is at least five times its resolution and queries at
    /// ordinary steps stay exact on raw data.
    /// </summary>
    public long AllowedResolution => MaxSourceResolution ?? Step / 5;

    /// <summary>The hint value that asks for label sets only.</summary>
    public const string SeriesOnly = "series";
}

/// <summary>One series: its labels and a way to iterate its samples in time order.</summary>
public interface ISeries
{
    /// <summary>The label set.</summary>
    Labels Labels { get; }

    /// <summary>Returns an iterator over the samples, reusing <paramref name="reuse"/> when possible.</summary>
    SampleIterator Iterator(SampleIterator? reuse);
}
