using MetricsCluster.Cluster.Store;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// One instance's membership in a ring (Mimir's Lifecycler): picks its tokens (tokens file, else its existing ring
/// entry, else new random ones avoiding everyone else's), registers, and heartbeats by rewriting its own entry every
/// <see cref="LifecyclerOptions.HeartbeatPeriod"/>. It only ever writes its own entry: stale entries of others stay
/// until someone forgets them on the ring page. Store outages are logged and outlived; the next heartbeat writes the
/// current state.
/// </summary>
public sealed class Lifecycler : IAsyncDisposable
{
    private static readonly TimeSpan s_firstRetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly IRingStore _store;
    private readonly LifecyclerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<Lifecycler> _logger;
    private readonly object _lock = new();
    private readonly Random _random = new();
    private CancellationTokenSource? _heartbeatStop;
    private Task? _heartbeatLoop;
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

    /// <summary>The state this instance announces (written at the next heartbeat if the store is down now).</summary>
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
    /// until <paramref name="cancellationToken"/> gives up), saves the tokens file and starts heartbeating.
    /// </summary>
    /// <exception cref="InvalidDataException">The tokens file is corrupt.</exception>
    public async Task StartAsync(InstanceState initial, CancellationToken cancellationToken)
    {
        if (_heartbeatLoop is not null)
        {
            throw new InvalidOperationException($"lifecycler of {_options.InstanceId} already started");
        }

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
        _heartbeatStop = new CancellationTokenSource();
        _heartbeatLoop = Task.Run(() => HeartbeatLoopAsync(_heartbeatStop.Token), CancellationToken.None);
    }

    /// <summary>
    /// Announces <paramref name="state"/>: memory changes at once, the store is written at once, and when the store
    /// is unavailable the heartbeat loop writes it as soon as the store is back (this method does not throw then).
    /// </summary>
    public async Task ChangeStateAsync(InstanceState state, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _state = state;
        }

        try
        {
            await WriteOwnEntryAsync(cancellationToken);
            _logger.LogInformation("{Id} is now {State} in the {Key} ring", _options.InstanceId, state, _options.RingKey);
        }
        catch (RingStoreUnavailableException e)
        {
            _logger.LogWarning(e, "{Id} could not write state {State} to the {Key} ring; the heartbeat will retry", _options.InstanceId, state, _options.RingKey);
        }
    }

    /// <summary>
    /// Stops heartbeating; with <paramref name="unregister"/> removes this instance's entry (retrying while the store
    /// is unavailable, until <paramref name="cancellationToken"/> gives up), otherwise writes the current state once
    /// more, best effort, and leaves the entry (tokens stay reserved for a restart).
    /// </summary>
    public async Task StopAsync(bool unregister, CancellationToken cancellationToken)
    {
        await StopHeartbeatAsync();
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
            await WriteOwnEntryAsync(cancellationToken);
        }
        catch (RingStoreUnavailableException e)
        {
            _logger.LogWarning(e, "{Id} could not write its final state to the {Key} ring", _options.InstanceId, _options.RingKey);
        }
    }

    /// <summary>Stops heartbeating without touching the ring entry.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopHeartbeatAsync();
        _heartbeatStop?.Dispose();
    }

    private async Task StopHeartbeatAsync()
    {
        if (_heartbeatStop is null || _heartbeatLoop is null)
        {
            return;
        }

        await _heartbeatStop.CancelAsync();
        await _heartbeatLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.HeartbeatPeriod, _time, cancellationToken);
                await WriteOwnEntryAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The store being down must not kill the instance: it keeps serving with the last ring it saw.
                _logger.LogWarning(e, "{Id} heartbeat to the {Key} ring failed; retrying next period", _options.InstanceId, _options.RingKey);
            }
        }
    }

    // Rewrites this instance's entry with the current state and a fresh heartbeat; re-adds it if it was forgotten
    // while this instance is alive (Mimir does the same: the instance knows best that it exists).
    private Task WriteOwnEntryAsync(CancellationToken cancellationToken) =>
        _store.CasAsync(
            _options.RingKey,
            desc =>
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
            },
            cancellationToken);

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
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.HeartbeatPeriod.Ticks));
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
            HeartbeatTimestamp = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            RegisteredTimestamp = registeredMs,
        };
        desc.Tokens.AddRange(tokens);
        return desc;
    }
}
