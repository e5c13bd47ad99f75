namespace MetricsCluster.Agent.Manager;

/// <summary>Writes every batch to each sink in turn (one per remote_write entry); a batch is stored once all have it.</summary>
public sealed class FanOutSink : ISampleSink
{
    private readonly ISampleSink[] _sinks;

    /// <summary>Creates the sink.</summary>
    /// <param name="sinks">The destinations.</param>
    public FanOutSink(IEnumerable<ISampleSink> sinks) => _sinks = [.. sinks];

    /// <inheritdoc/>
    public async ValueTask WriteAsync(IReadOnlyList<ScrapedSample> batch, CancellationToken cancellationToken)
    {
        // Sequential on purpose: each queue append is a local disk write, and a failure names the first sink that failed.
        foreach (var sink in _sinks)
        {
            await sink.WriteAsync(batch, cancellationToken);
        }
    }
}
