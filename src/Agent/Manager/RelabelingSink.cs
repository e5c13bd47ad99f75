using MetricsCluster.Agent.Relabel;

namespace MetricsCluster.Agent.Manager;

/// <summary>Applies one remote_write entry's <c>write_relabel_configs</c> before its queue; dropped series are not sent.</summary>
public sealed class RelabelingSink : ISampleSink
{
    private readonly ISampleSink _inner;
    private readonly IReadOnlyList<RelabelConfig> _rules;

    /// <summary>Creates the sink.</summary>
    /// <param name="inner">The queue.</param>
    /// <param name="rules">The rules; empty makes the sink a pass-through.</param>
    public RelabelingSink(ISampleSink inner, IReadOnlyList<RelabelConfig> rules)
    {
        _inner = inner;
        _rules = rules;
    }

    /// <inheritdoc/>
    public ValueTask WriteAsync(IReadOnlyList<ScrapedSample> batch, CancellationToken cancellationToken)
    {
        if (_rules.Count == 0)
        {
            return _inner.WriteAsync(batch, cancellationToken);
        }

        var result = new List<ScrapedSample>(batch.Count);
        foreach (var s in batch)
        {
            // Stale markers go through the same rules, so a kept series is also marked stale downstream.
            if (Relabeler.Process(s.Labels, _rules) is { IsEmpty: false } labels)
            {
                result.Add(s with { Labels = labels });
            }
        }

        return result.Count == 0 ? ValueTask.CompletedTask : _inner.WriteAsync(result, cancellationToken);
    }
}
