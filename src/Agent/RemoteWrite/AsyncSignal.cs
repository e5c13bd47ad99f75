namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>
/// A broadcast "something changed" signal. Take <see cref="WaitTask"/> before checking the condition,
/// then await it: a <see cref="Set"/> in between completes the task taken, so no wake-up is lost.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets the task completed by the next <see cref="Set"/>.</summary>
    public Task WaitTask => Volatile.Read(ref _tcs).Task;

    /// <summary>Wakes every waiter.</summary>
    public void Set() =>
        Interlocked.Exchange(ref _tcs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
