namespace MetricsCluster;

/// <summary>
/// A hosted service made of two delegates. The host starts hosted services in registration order and stops them in
/// reverse, so a step registered between two services runs between them on the way up and on the way down (the
/// ingester's ring transitions around its WAL replay and its final flush).
/// </summary>
/// <param name="start">Runs at start-up.</param>
/// <param name="stop">Runs at shutdown.</param>
internal sealed class HostedStep(Func<CancellationToken, Task> start, Func<CancellationToken, Task> stop) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => start(cancellationToken);

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => stop(cancellationToken);
}
