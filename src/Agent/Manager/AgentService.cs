using System.Runtime.InteropServices;
using MetricsCluster.Agent.Config;
using MetricsCluster.Core.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Agent.Manager;

/// <summary>
/// The agent module: loads <c>--agent.config.file</c>, runs the remote-write queues and the scrape manager, and
/// reloads the file on SIGHUP and <c>POST /-/reload</c>. A reload that fails keeps the running configuration and
/// reports the error, as Prometheus does.
/// </summary>
public sealed class AgentService : IHostedService, IAsyncDisposable
{
    private readonly AgentOptions _options;
    private readonly MetricsRegistry _registry;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private readonly HttpClient _http = ScrapeManager.CreateHttpClient();
    private readonly Gauge _lastReloadSuccess;
    private readonly Gauge _lastReloadTime;
    private SwitchableSink? _sink;
    private RemoteWriteSet? _remote;
    private ScrapeManager? _manager;
    private PosixSignalRegistration? _sighup;

    /// <summary>Creates the service; <paramref name="options"/> is validated here (G5).</summary>
    public AgentService(AgentOptions options, MetricsRegistry registry, ILoggerFactory loggers, TimeProvider time)
    {
        options.Validate();
        _options = options;
        _registry = registry;
        _loggers = loggers;
        _logger = loggers.CreateLogger<AgentService>();
        _time = time;
        _lastReloadSuccess = registry.Gauge("prometheus_config_last_reload_successful", "Whether the last configuration reload attempt was successful.").WithLabels();
        _lastReloadTime = registry.Gauge("prometheus_config_last_reload_success_timestamp_seconds", "Timestamp of the last successful configuration reload.").WithLabels();
    }

    /// <summary>The configuration in force, or null before start.</summary>
    public AgentConfig? Config { get; private set; }

    /// <summary>Where the samples go and as which tenant, one line per destination (empty before start).</summary>
    public IReadOnlyList<string> Destinations { get; private set; } = [];

    /// <summary>Every job's targets (empty before start).</summary>
    public TargetsSnapshot Targets() => _manager?.Targets() ?? new TargetsSnapshot([], []);

    /// <summary>Loads the file and starts scraping; a bad file fails the start with the config error.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var config = AgentConfig.Load(_options.ConfigFile);
        _remote = RemoteWriteSet.Create(config, _options.QueueRoot, _options.DefaultTransport, _registry, _loggers, _time);
        _sink = new SwitchableSink(_remote.Sink);
        _manager = new ScrapeManager(_sink, _http, _loggers, _time);
        await _manager.ApplyConfigAsync(config, cancellationToken);
        Config = config;
        SetDestinations(config);
        MarkReloaded(true);
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
        {
            ctx.Cancel = true; // SIGHUP means reload, not terminate.
            _ = ReloadAsync(CancellationToken.None);
        });
        _logger.LogInformation("agent started from {File}: {Jobs} scrape jobs, {Queues} remote-write queues", _options.ConfigFile, config.ScrapeConfigs.Count, _remote.Queues.Count);
    }

    /// <summary>Re-reads the file and applies it; returns null on success, else the error (the old configuration stays).</summary>
    public async Task<string?> ReloadAsync(CancellationToken cancellationToken)
    {
        await _reload.WaitAsync(cancellationToken);
        try
        {
            if (_manager is null || _sink is null || _remote is null)
            {
                return "the agent is not running";
            }

            AgentConfig config;
            try
            {
                config = AgentConfig.Load(_options.ConfigFile);
                RemoteWriteSet.Validate(config, _options.QueueRoot, _options.DefaultTransport is not null);
            }
            catch (ConfigException e)
            {
                _logger.LogError("reloading {File} failed, keeping the running configuration: {Error}", _options.ConfigFile, e.Message);
                MarkReloaded(false);
                return e.Message;
            }

            if (RemoteWriteSet.FingerprintOf(config) != _remote.Fingerprint)
            {
                await ReplaceRemoteWriteAsync(config, cancellationToken);
            }

            await _manager.ApplyConfigAsync(config, cancellationToken);
            Config = config;
            SetDestinations(config);
            MarkReloaded(true);
            _logger.LogInformation("agent configuration reloaded from {File}", _options.ConfigFile);
            return null;
        }
        finally
        {
            _reload.Release();
        }
    }

    private void SetDestinations(AgentConfig config)
    {
        Destinations = AgentDestinations.Describe(config, _options.DefaultDestination);
        foreach (string d in Destinations)
        {
            _logger.LogInformation("agent writes to {Destination}", d);
        }
    }

    /// <summary>Stops scraping, then the queues (unsent samples stay on disk for the next start).</summary>
    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _sighup?.Dispose();
        _sighup = null;
        if (_manager is not null)
        {
            await _manager.DisposeAsync();
            _manager = null;
        }

        if (_remote is not null)
        {
            await _remote.DisposeAsync();
            _remote = null;
        }

        _http.Dispose();
    }

    private async Task ReplaceRemoteWriteAsync(AgentConfig config, CancellationToken cancellationToken)
    {
        // The new queues may use the old ones' directories: hold writes until the old queues are closed.
        var deferred = new DeferredSink();
        await _sink!.SwapAsync(deferred, cancellationToken);
        await _remote!.DisposeAsync();
        try
        {
            _remote = RemoteWriteSet.Create(config, _options.QueueRoot, _options.DefaultTransport, _registry, _loggers, _time);
        }
        catch (Exception e)
        {
            deferred.Fail(e);
            throw;
        }

        deferred.Complete(_remote.Sink);
        await _sink.SwapAsync(_remote.Sink, cancellationToken);
    }

    private void MarkReloaded(bool ok)
    {
        _lastReloadSuccess.Set(ok ? 1 : 0);
        if (ok)
        {
            _lastReloadTime.Set(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
        }
    }
}
