using MetricsCluster.Cluster.Ring;

namespace MetricsCluster.Cluster.Replication;

/// <summary>
/// Runs calls on replication sets and decides on quorum (Mimir's <c>ring.DoBatch</c> and <c>ReplicationSet.Do</c>).
/// See docs/replication.md for why a write acknowledged by a quorum is seen by every quorum read.
/// </summary>
public static class Quorum
{
    /// <summary>
    /// Sends keys to their replicas (Mimir's DoBatch): finds each key's replication set with
    /// <see cref="IReadRing.Get"/>, then calls <paramref name="callback"/> once per instance with the indexes (into
    /// <paramref name="keys"/>, ascending) of the keys that instance must take. Completes as soon as every key has
    /// been taken by a quorum of its set (all instances but <see cref="ReplicationSet.MaxErrors"/>, or with zones all
    /// zones but <see cref="ReplicationSet.MaxUnavailableZones"/>), and throws <see cref="QuorumException"/> as soon
    /// as one key can no longer reach its quorum. A failed call is never retried on another instance: the extra
    /// replica would be a series' fourth owner, which reads do not ask.
    /// </summary>
    /// <remarks>
    /// <para>Dispatch is synchronous: every callback is invoked on the calling thread, one after the other, before
    /// this method first yields, so the synchronous part of a callback (copying what it sends out of the caller's
    /// request) is over before the returned task can complete and the caller reuses its request.</para>
    /// <para>Calls still running when the task completes are not cancelled: they must still reach the remaining
    /// replicas, so they receive <see cref="CancellationToken.None"/> and end at their own deadline (the RPC
    /// client's timeout). Whatever a callback allocates for its call it also frees, when that call ends; nothing is
    /// left for the caller to dispose. <paramref name="cancellationToken"/> is checked before dispatch, and a
    /// cancellation while waiting for the quorum ends the wait (OperationCanceledException), not the calls.</para>
    /// </remarks>
    /// <param name="ring">The ring the keys are placed on.</param>
    /// <param name="operation">The operation (healthy states and set extension), normally <see cref="RingOperation.Write"/>.</param>
    /// <param name="keys">The ring keys (series tokens).</param>
    /// <param name="callback">Sends the keys at the given indexes to an instance; it must not keep the index array.</param>
    /// <param name="cancellationToken">Cancels before dispatch, or the wait.</param>
    /// <returns>A task that completes when every key has its quorum.</returns>
    /// <exception cref="QuorumException">Some key lost its quorum.</exception>
    /// <exception cref="RingUnavailableException">The ring has no replication set for a key (thrown before any call).</exception>
    public static Task DoBatchAsync(IReadRing ring, RingOperation operation, ReadOnlyMemory<uint> keys, Func<InstanceDesc, int[], CancellationToken, Task> callback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(callback);
        cancellationToken.ThrowIfCancellationRequested();
        var batch = BatchState.Build(ring, operation, keys.Span);
        if (batch.Remaining == 0)
        {
            return Task.CompletedTask;
        }

        foreach (var target in batch.Targets.Values)
        {
            Task call;
            try
            {
                call = callback(target.Instance, [.. target.Keys], CancellationToken.None);
            }
            catch (Exception e)
            {
                call = Task.FromException(e);
            }

            _ = batch.TrackAsync(target, call);
        }

        return cancellationToken.CanBeCanceled ? batch.Completion.Task.WaitAsync(cancellationToken) : batch.Completion.Task;
    }

    /// <summary>
    /// Runs <paramref name="call"/> on every instance of <paramref name="set"/> in parallel and returns the successful
    /// results, in the set's order, once every call has finished (for statistics, where every ingester's share
    /// counts; reads of data use <see cref="DoUntilQuorumAsync{T}"/>).
    /// Throws <see cref="QuorumException"/> as soon as more than <see cref="ReplicationSet.MaxErrors"/> calls failed
    /// (with zones: failures in more than <see cref="ReplicationSet.MaxUnavailableZones"/> zones), cancelling the
    /// calls still running.
    /// </summary>
    /// <typeparam name="T">The result of one call.</typeparam>
    /// <param name="set">The instances, e.g. from <see cref="IReadRing.GetReplicationSetForOperation"/>.</param>
    /// <param name="call">The call; it receives a token cancelled when the caller cancels or the quorum is lost.</param>
    /// <param name="cancellationToken">Cancels every call.</param>
    /// <returns>The successful results.</returns>
    /// <exception cref="QuorumException">Too many calls failed.</exception>
    public static Task<IReadOnlyList<T>> DoAsync<T>(ReplicationSet set, Func<InstanceDesc, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        RunAsync(set, call, returnAtQuorum: false, cancellationToken);

    /// <summary>
    /// As <see cref="DoAsync{T}"/>, but returns as soon as the quorum is reached (every instance but
    /// <see cref="ReplicationSet.MaxErrors"/>, or every zone but <see cref="ReplicationSet.MaxUnavailableZones"/>,
    /// answered), cancelling the calls still running: Mimir's <c>ReplicationSet.Do</c> for reads. A write acknowledged
    /// by a quorum of its replicas is on at least one instance of any read quorum, so the answer is complete; and a
    /// replica that hangs (a frozen or overloaded ingester that still holds its connections) no longer holds every
    /// query until its connection times out.
    /// </summary>
    /// <typeparam name="T">The result of one call.</typeparam>
    /// <param name="set">The instances.</param>
    /// <param name="call">The call; it receives a token cancelled when the caller cancels or the quorum is reached or lost.</param>
    /// <param name="cancellationToken">Cancels every call.</param>
    /// <returns>The successful results of the quorum, in the set's order.</returns>
    /// <exception cref="QuorumException">Too many calls failed.</exception>
    public static Task<IReadOnlyList<T>> DoUntilQuorumAsync<T>(ReplicationSet set, Func<InstanceDesc, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        RunAsync(set, call, returnAtQuorum: true, cancellationToken);

    private static async Task<IReadOnlyList<T>> RunAsync<T>(ReplicationSet set, Func<InstanceDesc, CancellationToken, Task<T>> call, bool returnAtQuorum, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(call);
        var tracker = new QuorumTracker(set);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Task<T>[set.Instances.Count];
        for (int i = 0; i < tasks.Length; i++)
        {
            try
            {
                tasks[i] = call(set.Instances[i], cts.Token);
            }
            catch (Exception e)
            {
                tasks[i] = Task.FromException<T>(e);
            }
        }

        var failures = new List<InstanceFailure>();
        var running = new List<Task<T>>(tasks);
        while (running.Count > 0)
        {
            var done = await Task.WhenAny(running).ConfigureAwait(false);
            running.Remove(done);
            int i = Array.IndexOf(tasks, done);
            if (done.IsCompletedSuccessfully)
            {
                if (tracker.Done(i, success: true) == QuorumOutcome.Reached && returnAtQuorum)
                {
                    await CancelStragglersAsync(cts, running).ConfigureAwait(false);
                    break;
                }

                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            failures.Add(new InstanceFailure(set.Instances[i], Unwrap(done)));
            if (tracker.Done(i, success: false) == QuorumOutcome.Lost)
            {
                await CancelStragglersAsync(cts, running).ConfigureAwait(false);
                throw new QuorumException($"{failures.Count} of {set.Instances.Count} instances failed, more than the {MaxFailuresText(set)} a quorum tolerates", failures);
            }
        }

        return [.. tasks.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)];
    }

    private static async Task CancelStragglersAsync<T>(CancellationTokenSource cts, List<Task<T>> running)
    {
        await cts.CancelAsync().ConfigureAwait(false);
        foreach (var t in running)
        {
            // Observed, so the cancelled stragglers' exceptions do not surface as unobserved.
            _ = t.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    internal static Exception Unwrap(Task t) =>
        t.Exception is { } e ? (e.InnerExceptions.Count == 1 ? e.InnerExceptions[0] : e) : new OperationCanceledException("the call was cancelled");

    internal static string MaxFailuresText(ReplicationSet set) =>
        set.MaxUnavailableZones > 0 ? $"{set.MaxUnavailableZones} unavailable zone(s)" : $"{set.MaxErrors} error(s)";

    /// <summary>One DoBatch: the per-key trackers, the per-instance key lists, and the completion.</summary>
    private sealed class BatchState
    {
        private readonly QuorumTracker[] _trackers;
        private readonly ReplicationSet[] _sets;
        private readonly List<InstanceFailure> _failures = [];
        private int _remaining;

        private BatchState(int keys)
        {
            _trackers = new QuorumTracker[keys];
            _sets = new ReplicationSet[keys];
        }

        /// <summary>Gets the instances to call, by id, with the keys (and their positions in each key's set).</summary>
        public Dictionary<string, Target> Targets { get; } = new(StringComparer.Ordinal);

        /// <summary>Gets the completion; continuations run asynchronously so no call's thread runs the caller's code.</summary>
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Gets the number of keys still short of their quorum.</summary>
        public int Remaining => Volatile.Read(ref _remaining);

        public static BatchState Build(IReadRing ring, RingOperation operation, ReadOnlySpan<uint> keys)
        {
            var state = new BatchState(keys.Length);
            for (int k = 0; k < keys.Length; k++)
            {
                var set = ring.Get(keys[k], operation);
                state._sets[k] = set;
                state._trackers[k] = new QuorumTracker(set);
                if (!state._trackers[k].SucceededWithoutCalls)
                {
                    state._remaining++;
                }

                for (int p = 0; p < set.Instances.Count; p++)
                {
                    var instance = set.Instances[p];
                    if (!state.Targets.TryGetValue(instance.Id, out var target))
                    {
                        target = new Target(instance);
                        state.Targets[instance.Id] = target;
                    }

                    target.Keys.Add(k);
                    target.Positions.Add(p);
                }
            }

            return state;
        }

        /// <summary>Waits for one instance's call and applies its outcome to each of its keys.</summary>
        public async Task TrackAsync(Target target, Task call)
        {
            Exception? error = null;
            try
            {
                await call.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                error = e;
            }

            if (error is not null)
            {
                lock (_failures)
                {
                    _failures.Add(new InstanceFailure(target.Instance, error));
                }
            }

            for (int i = 0; i < target.Keys.Count; i++)
            {
                int k = target.Keys[i];
                switch (_trackers[k].Done(target.Positions[i], error is null))
                {
                    case QuorumOutcome.Reached when Interlocked.Decrement(ref _remaining) == 0:
                        Completion.TrySetResult();
                        break;
                    case QuorumOutcome.Lost:
                        Completion.TrySetException(new QuorumException(
                            $"key {k} lost its quorum on {_sets[k].Instances.Count} instances (at most {MaxFailuresText(_sets[k])} tolerated)",
                            Snapshot()));
                        return;
                }
            }
        }

        private InstanceFailure[] Snapshot()
        {
            lock (_failures)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>One instance of a DoBatch and the keys it takes.</summary>
    private sealed class Target(InstanceDesc instance)
    {
        public InstanceDesc Instance { get; } = instance;

        public List<int> Keys { get; } = [];

        public List<int> Positions { get; } = [];
    }
}
