using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// Reads one block over [mint, maxt] through the shared <see cref="IQuerier"/> contract (G7; Prometheus
/// <c>blockQuerier</c>). Series come in label order (index refs ascend with labels); series without a chunk
/// overlapping the range are left out. Does not own the block: disposing it leaves the block open.
/// </summary>
public sealed class BlockQuerier : IQuerier
{
    private readonly BlockReader _block;
    private readonly long _mint;
    private readonly long _maxt;

    /// <summary>Creates a querier; see <see cref="BlockReader.Querier"/>.</summary>
    public BlockQuerier(BlockReader block, long mint, long maxt)
    {
        ArgumentNullException.ThrowIfNull(block);
        _block = block;
        _mint = mint;
        _maxt = maxt;
    }

    /// <inheritdoc/>
    /// <remarks>Always sorted. With <see cref="SelectHints.SeriesOnly"/> the chunks are not read.</remarks>
    public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        bool labelsOnly = hints?.Func == SelectHints.SeriesOnly;
        foreach (var s in Select(matchers, labelsOnly, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return s;
        }

        // The index is memory-mapped and read synchronously; this await only satisfies the async iterator form.
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>The synchronous form of <see cref="SelectAsync"/>: matching series with chunks in range, sorted.</summary>
    public IEnumerable<ISeries> Select(IReadOnlyList<Matcher> matchers, bool labelsOnly = false, CancellationToken cancellationToken = default)
    {
        foreach (ulong r in _block.Index.SelectSeriesRefs(matchers, cancellationToken))
        {
            var entry = _block.Index.Series(r);
            var chunks = entry.Chunks.Where(c => c.Overlaps(_mint, _maxt)).ToArray();
            if (chunks.Length == 0)
            {
                continue;
            }

            yield return new BlockSeries(entry.Labels, labelsOnly ? [] : chunks, _block.Chunks, _mint, _maxt);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Like Prometheus' block querier, names are not filtered by time.</remarks>
    public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_block.Index.LabelNames(matchers, cancellationToken));

    /// <inheritdoc/>
    /// <remarks>Like Prometheus' block querier, values are not filtered by time.</remarks>
    public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_block.Index.LabelValues(name, matchers, cancellationToken));

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
