namespace MetricsCluster.Agent.Manager;

/// <summary>
/// One loop's way to the shared sink, which the manager can mute before stopping the loop: a loop replaced on
/// reload or stopped at shutdown must not write end-of-run stale markers, because its series go on (in the new
/// loop, or after the restart), as Prometheus' disableEndOfRunStalenessMarkers.
/// </summary>
internal sealed class LoopSink(ISampleSink inner) : ISampleSink
{
    private volatile bool _muted;

    /// <summary>Drops every later write.</summary>
    public void Mute() => _muted = true;

    /// <inheritdoc/>
    public ValueTask WriteAsync(IReadOnlyList<ScrapedSample> batch, CancellationToken cancellationToken) =>
        _muted ? ValueTask.CompletedTask : inner.WriteAsync(batch, cancellationToken);
}
