namespace MetricsCluster.Agent.Manager;

/// <summary>
/// Holds writes while the remote-write queues are being replaced (old queues closed before new ones open on the
/// same directories), then lets them through to the new destination.
/// </summary>
internal sealed class DeferredSink : ISampleSink
{
    private readonly TaskCompletionSource<ISampleSink> _target = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Releases held and later writes to <paramref name="sink"/>.</summary>
    public void Complete(ISampleSink sink) => _target.TrySetResult(sink);

    /// <summary>Fails held and later writes (the new queues could not be opened).</summary>
    public void Fail(Exception error) => _target.TrySetException(error);

    /// <inheritdoc/>
    public async ValueTask WriteAsync(IReadOnlyList<ScrapedSample> batch, CancellationToken cancellationToken)
    {
        var sink = await _target.Task.WaitAsync(cancellationToken);
        await sink.WriteAsync(batch, cancellationToken);
    }
}
