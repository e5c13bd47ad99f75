namespace MetricsCluster.Agent;

/// <summary>
/// Where scrape loops hand their samples (the agent's appender): the disk-backed remote-write queue, or anything a
/// test wants. A call returns once the batch is durable in the sink (for the queue: written to its WAL), so a scrape
/// counts as stored only when <see cref="WriteAsync"/> completed.
/// </summary>
public interface ISampleSink
{
    /// <summary>Appends one scrape's samples, in scrape order.</summary>
    /// <param name="batch">The samples; the sink must not keep the list after returning.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>A task that completes when the batch is stored.</returns>
    ValueTask WriteAsync(IReadOnlyList<ScrapedSample> batch, CancellationToken cancellationToken);
}
