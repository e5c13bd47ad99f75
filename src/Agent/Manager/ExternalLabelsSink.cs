using MetricsCluster.Core;

namespace MetricsCluster.Agent.Manager;

/// <summary>
/// Adds the global <c>external_labels</c> to every sample on its way to remote write. A label the series already
/// has wins, as in Prometheus' remote-write path (labels from the target or the page are never overwritten).
/// </summary>
public sealed class ExternalLabelsSink : ISampleSink
{
    private readonly ISampleSink _inner;
    private readonly KeyValuePair<string, string>[] _external;

    /// <summary>Creates the sink.</summary>
    /// <param name="inner">Where the labelled samples go.</param>
    /// <param name="external">The labels to add; empty makes the sink a pass-through.</param>
    public ExternalLabelsSink(ISampleSink inner, Labels external)
    {
        _inner = inner;
        _external = [.. external.Pairs()];
    }

    /// <inheritdoc/>
    public ValueTask WriteAsync(IReadOnlyList<ScrapedSample> batch, CancellationToken cancellationToken)
    {
        if (_external.Length == 0)
        {
            return _inner.WriteAsync(batch, cancellationToken);
        }

        // Allocates one label set per sample; the scrape loop's per-target cache is upstream, so this is the
        // remaining per-sample cost of external labels (measure before caching it, G11).
        var result = new List<ScrapedSample>(batch.Count);
        foreach (var s in batch)
        {
            result.Add(s with { Labels = Add(s.Labels) });
        }

        return _inner.WriteAsync(result, cancellationToken);
    }

    /// <summary>The series' labels plus every external label it does not have.</summary>
    internal Labels Add(Labels labels)
    {
        LabelsBuilder? b = null;
        foreach (var (name, value) in _external)
        {
            if (labels.Get(name).Length == 0)
            {
                b ??= new LabelsBuilder(labels);
                b.Set(name, value);
            }
        }

        return b?.Build() ?? labels;
    }
}
