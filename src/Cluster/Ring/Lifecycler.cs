using MetricsCluster.Cluster.Store;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// One instance's membership in a ring (Mimir's Lifecycler): picks its tokens (tokens file, else its existing ring
/// entry, else new random ones avoiding everyone else's), registers, and writes its own entry again at each state
/// change. There is no heartbeat: whether the instance is alive is Orleans membership's to say
/// (<see cref="IInstanceLiveness"/>), so the descriptor changes only when tokens or states do. It only ever writes its
/// own entry: entries of instances gone for good stay until someone forgets them on the ring page.
/// </summary>
public sealed class Lifecycler : IAsyncDisposable
{
    private static readonly TimeSpan s_firstRetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_maxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>How long a state change keeps retrying an unavailable store before it gives up (logged).</summary>
    private static readonly TimeSpan s_stateChangePatience = TimeSpan.FromSeconds(30);

    private readonly IRingStore _store;
    private readonly LifecyclerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<Lifecycler> _logger;
    private readonly object _lock = new();
    private readonly Random _random = new();
    private bool _started;
    private InstanceState _state;
    private uint[] _tokens = [];
    private long _registeredMs;
    private int _disposed;

    /// <summary>Creates the lifecycler; nothing is written until <see cref="StartAsync"/>.</summary>
    public Lifecycler(IRingStore store, LifecyclerOptions options, TimeProvider time, ILogger<Lifecycler> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The state this instance announces.</summary>
    public InstanceState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>This instance's tokens, sorted; empty before <see cref="StartAsync"/>.</summary>
    public IReadOnlyList<uint> Tokens
    {
        get
        {
            lock (_lock)
            {
                return _tokens;
            }
        }
    }

    /// <summary>
    /// Chooses the tokens, registers in state <paramref name="initial"/> (retrying while the store is unavailable,
    /// until <paramref name="cancellationToken"/> gives up) and saves the tokens file.
    /// </summary>
    /// <exception cref="InvalidDataException">The tokens file is corrupt.</exception>
    public async Task StartAsync(InstanceState initial, CancellationToken cancellationToken)
    {
        if (_started)
        {
            throw new InvalidOperationException($"lifecycler of {_options.InstanceId} already started");
        }

        _started = true;

        uint[]? fromFile = _options.TokensFilePath is null ? null : TokensFile.Load(_options.TokensFilePath);
        lock (_lock)
        {
            _state = initial;
        }

        uint[] chosen = [];
        long registeredMs = 0;
        await CasWithRetryAsync(
            desc =>
            {
                desc ??= new RingDesc();
                desc.Instances.TryGetValue(_options.InstanceId, out InstanceDesc? existing);
                chosen = ChooseTokens(fromFile, existing, desc);
                registeredMs = existing is { RegisteredTimestamp: > 0 } ? existing.RegisteredTimestamp : _time.GetUtcNow().ToUnixTimeMilliseconds();
                desc.Instances[_options.InstanceId] = Describe(chosen, State, registeredMs);
                return desc;
            },
            cancellationToken);

        lock (_lock)
        {
            _tokens = chosen;
            _registeredMs = registeredMs;
        }

        if (_options.TokensFilePath is not null && (fromFile is null || !fromFile.AsSpan().SequenceEqual(chosen)))
        {
            TokensFile.Save(_options.TokensFilePath, chosen);
        }

        _logger.LogInformation("{Id} registered in the {Key} ring as {State} with {Tokens} tokens", _options.InstanceId, _options.RingKey, initial, chosen.Length);
    }

    /// <summary>
    /// Announces <paramref name="state"/>: memory changes at once and the store is written, retrying while it is
    /// unavailable for up to 30 s (then logged, not thrown: the instance keeps serving and the next change writes
    /// the current state).
    /// </summary>
    public async Task ChangeStateAsync(InstanceState state, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _state = state;
        }

        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(s_stateChangePatience);
        try
        {
            await CasWithRetryAsync(WriteOwnEntry, patience.Token);
            _logger.LogInformation("{Id} is now {State} in the {Key} ring", _options.InstanceId, state, _options.RingKey);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogError("{Id} could not write state {State} to the {Key} ring within {Patience}", _options.InstanceId, state, _options.RingKey, s_stateChangePatience);
        }
    }

    /// <summary>
    /// With <paramref name="unregister"/> removes this instance's entry (retrying while the store is unavailable,
    /// until <paramref name="cancellationToken"/> gives up), otherwise writes the current state once more, best
    /// effort, and leaves the entry (tokens stay reserved for a restart).
    /// </summary>
    public async Task StopAsync(bool unregister, CancellationToken cancellationToken)
    {
        if (unregister)
        {
            await CasWithRetryAsync(
                desc => desc is not null && desc.Instances.Remove(_options.InstanceId) ? desc : null,
                cancellationToken);
            _logger.LogInformation("{Id} unregistered from the {Key} ring", _options.InstanceId, _options.RingKey);
            return;
        }

        try
        {
            await _store.CasAsync(_options.RingKey, WriteOwnEntry, cancellationToken);
        }
        catch (RingStoreUnavailableException e)
        {
            _logger.LogWarning(e, "{Id} could not write its final state to the {Key} ring", _options.InstanceId, _options.RingKey);
        }
    }

    /// <summary>Nothing runs in the background; kept so hosts can dispose it uniformly.</summary>
    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        return ValueTask.CompletedTask;
    }

    // Rewrites this instance's entry with the current state; re-adds it if it was forgotten while this instance is
    // alive (Mimir does the same: the instance knows best that it exists).
    private RingDesc? WriteOwnEntry(RingDesc? desc)
            {
                desc ??= new RingDesc();
                if (!desc.Instances.ContainsKey(_options.InstanceId))
                {
                    _logger.LogWarning("{Id} was missing from the {Key} ring; adding it back", _options.InstanceId, _options.RingKey);
                }

                long registered;
                uint[] tokens;
                lock (_lock)
                {
                    registered = _registeredMs;
                    tokens = _tokens;
                }

                desc.Instances[_options.InstanceId] = Describe(tokens, State, registered);
                return desc;
            }

    private async Task CasWithRetryAsync(Func<RingDesc?, RingDesc?> update, CancellationToken cancellationToken)
    {
        TimeSpan delay = s_firstRetryDelay;
        while (true)
        {
            try
            {
                await _store.CasAsync(_options.RingKey, update, cancellationToken);
                return;
            }
            catch (RingStoreUnavailableException e)
            {
                _logger.LogWarning(e, "{Id}: the {Key} ring store is unavailable; retrying in {Delay}", _options.InstanceId, _options.RingKey, delay);
                await Task.Delay(delay, _time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, s_maxRetryDelay.Ticks));
            }
        }
    }

    // Tokens file first (it survives losing the ring entry), then the entry (a restart without a file), then new ones;
    // any shortfall against NumTokens is topped up with tokens nobody else holds.
    private uint[] ChooseTokens(uint[]? fromFile, InstanceDesc? existing, RingDesc desc)
    {
        uint[] mine = fromFile is { Length: > 0 } ? fromFile : existing is { Tokens.Count: > 0 } ? [.. existing.Tokens] : [];
        if (mine.Length >= _options.NumTokens)
        {
            return mine;
        }

        var taken = new HashSet<uint>(mine);
        foreach (var (id, other) in desc.Instances)
        {
            if (id != _options.InstanceId)
            {
                taken.UnionWith(other.Tokens);
            }
        }

        uint[] all = [.. mine, .. TokenGenerator.Generate(_options.NumTokens - mine.Length, taken, _random)];
        Array.Sort(all);
        return all;
    }

    private InstanceDesc Describe(uint[] tokens, InstanceState state, long registeredMs)
    {
        var desc = new InstanceDesc
        {
            Id = _options.InstanceId,
            Addr = _options.Addr,
            HttpAddr = _options.HttpAddr,
            Zone = _options.Zone,
            State = state,
            RegisteredTimestamp = registeredMs,
        };
        desc.Tokens.AddRange(tokens);
        return desc;
    }
}
