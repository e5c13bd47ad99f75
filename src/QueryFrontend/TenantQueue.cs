namespace MetricsCluster.QueryFrontend;

/// <summary>
/// The query-frontend's per-tenant fair queue (Mimir's <c>RequestQueue</c>): at most a fixed number of requests run
/// downstream at once; the others wait in their tenant's queue, and a freed slot goes to the next tenant in
/// round-robin order, so one tenant's burst of sub-queries does not starve the others. A tenant with
/// <c>maxOutstandingPerTenant</c> requests already waiting is refused with
/// <see cref="TooManyOutstandingRequestsException"/> (HTTP 429).
/// </summary>
public sealed class TenantQueue
{
    private readonly int _maxOutstandingPerTenant;
    private readonly int _concurrency;
    private readonly object _lock = new();
    private readonly Dictionary<string, LinkedList<TaskCompletionSource>> _waiting = new(StringComparer.Ordinal);

    // Tenants with waiting requests, in the order they are served; the head is served next, then moves to the tail.
    private readonly LinkedList<string> _turns = [];
    private int _running;

    /// <summary>Creates a queue running at most <paramref name="concurrency"/> requests at once.</summary>
    public TenantQueue(int maxOutstandingPerTenant, int concurrency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOutstandingPerTenant, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        _maxOutstandingPerTenant = maxOutstandingPerTenant;
        _concurrency = concurrency;
    }

    /// <summary>Requests running now.</summary>
    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    /// <summary>Requests of <paramref name="tenant"/> waiting now.</summary>
    public int Waiting(string tenant)
    {
        lock (_lock)
        {
            return _waiting.TryGetValue(tenant, out var q) ? q.Count : 0;
        }
    }

    /// <summary>Every tenant with waiting requests and how many (for the queue-length metric).</summary>
    public IReadOnlyList<(string Tenant, int Count)> WaitingByTenant()
    {
        lock (_lock)
        {
            return _waiting.Select(w => (w.Key, w.Value.Count)).ToList();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> once a slot is free and it is <paramref name="tenant"/>'s turn. Cancelling
    /// <paramref name="cancellationToken"/> while waiting leaves the queue.
    /// </summary>
    /// <exception cref="TooManyOutstandingRequestsException">The tenant already has the most requests waiting.</exception>
    public async Task<T> RunAsync<T>(string tenant, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!TryTakeFreeSlot())
        {
            await WaitForTurnAsync(tenant, cancellationToken);
        }

        try
        {
            return await work(cancellationToken);
        }
        finally
        {
            lock (_lock)
            {
                _running--;
            }

            Dispatch();
        }
    }

    /// <summary>
    /// Takes a slot at once when one is free and nobody waits, so the request is nobody's turn to wait for and runs
    /// on with this thread (queued, a turn resumes on another one, which on a busy machine means waiting for a core).
    /// </summary>
    private bool TryTakeFreeSlot()
    {
        lock (_lock)
        {
            if (_turns.First is not null || _running >= _concurrency)
            {
                return false;
            }

            _running++;
            return true;
        }
    }

    private async Task WaitForTurnAsync(string tenant, CancellationToken cancellationToken)
    {
        var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        LinkedListNode<TaskCompletionSource> node;
        lock (_lock)
        {
            if (!_waiting.TryGetValue(tenant, out var queue))
            {
                queue = [];
                _waiting.Add(tenant, queue);
                _turns.AddLast(tenant);
            }

            if (queue.Count >= _maxOutstandingPerTenant)
            {
                throw new TooManyOutstandingRequestsException();
            }

            node = queue.AddLast(turn);
        }

        Dispatch();
        using (cancellationToken.Register(() => Leave(tenant, node)))
        {
            await turn.Task;
        }
    }

    /// <summary>A waiting request whose caller gave up leaves its queue (a started one runs on and sees the token).</summary>
    private void Leave(string tenant, LinkedListNode<TaskCompletionSource> node)
    {
        lock (_lock)
        {
            if (node.List is null)
            {
                return;
            }

            node.List.Remove(node);
            RemoveIfEmpty(tenant);
        }

        node.Value.TrySetCanceled();
    }

    /// <summary>Starts waiting requests while slots are free, one per tenant in turn.</summary>
    private void Dispatch()
    {
        List<TaskCompletionSource>? start = null;
        lock (_lock)
        {
            while (_running < _concurrency && _turns.First is { } next)
            {
                string tenant = next.Value;
                _turns.RemoveFirst();
                var queue = _waiting[tenant];
                var turn = queue.First!.Value;
                queue.RemoveFirst();
                if (queue.Count > 0)
                {
                    _turns.AddLast(tenant);
                }
                else
                {
                    _waiting.Remove(tenant);
                }

                _running++;
                (start ??= []).Add(turn);
            }
        }

        // Outside the lock: the continuations run asynchronously anyway, but nothing of ours is held while they start.
        start?.ForEach(t => t.TrySetResult());
    }

    private void RemoveIfEmpty(string tenant)
    {
        if (_waiting.TryGetValue(tenant, out var queue) && queue.Count == 0)
        {
            _waiting.Remove(tenant);
            _turns.Remove(tenant);
        }
    }
}

/// <summary>The tenant's queue is full (Mimir's <c>errTooManyRequest</c>); the HTTP layer answers 429.</summary>
public sealed class TooManyOutstandingRequestsException : Exception
{
    /// <summary>Mimir's message.</summary>
    public const string MimirMessage = "too many outstanding requests";

    /// <summary>Creates the exception with Mimir's message.</summary>
    public TooManyOutstandingRequestsException()
        : base(MimirMessage)
    {
    }

    /// <summary>Creates the exception with another message.</summary>
    public TooManyOutstandingRequestsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with another message and cause.</summary>
    public TooManyOutstandingRequestsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
