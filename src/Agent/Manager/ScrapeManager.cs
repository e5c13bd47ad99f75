using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Discovery;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Agent.Manager;

/// <summary>
/// Runs the scrape side of an <see cref="AgentConfig"/> (Prometheus' scrape.Manager): service discovery per job,
/// target population, and one scrape pool per job whose loops write to one sink. A reload keeps the loops of
/// unchanged targets; a job whose scrape settings changed restarts its loops, and removed targets or jobs are
/// stopped with stale markers. Thread-safe.
/// </summary>
public sealed class ScrapeManager : IAsyncDisposable
{
    private readonly ISampleSink _sink;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly DiscoveryManager _discovery;
    private readonly SemaphoreSlim _sync = new(1, 1);
    private readonly Dictionary<string, IReadOnlyList<TargetGroup>> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private volatile Dictionary<string, ScrapePool> _pools = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Creates an idle manager; call <see cref="ApplyConfigAsync"/>.</summary>
    /// <param name="sink">Where every loop writes (normally the remote-write queues behind a <see cref="SwitchableSink"/>).</param>
    /// <param name="http">The client for scrapes; it must not decompress (the loop does). Not disposed here.</param>
    /// <param name="loggers">Loggers.</param>
    /// <param name="time">The clock (G6).</param>
    public ScrapeManager(ISampleSink sink, HttpClient http, ILoggerFactory loggers, TimeProvider time)
    {
        _sink = sink;
        _http = http;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ScrapeManager>();
        _discovery = new DiscoveryManager(loggers, time);
        _discovery.GroupsChanged += OnGroupsChanged;
    }

    /// <summary>Creates the HTTP client scrapes use: no automatic decompression, no client-wide timeout (each scrape has its own).</summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// Applies <paramref name="config"/>: stops removed jobs, restarts jobs whose scrape settings changed, and
    /// returns once discovery ran and every job's loops match its current targets.
    /// </summary>
    public async Task ApplyConfigAsync(AgentConfig config, CancellationToken cancellationToken)
    {
        await _sync.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var next = new Dictionary<string, ScrapePool>(StringComparer.Ordinal);
            var byJob = config.ScrapeConfigs.ToDictionary(c => c.JobName, StringComparer.Ordinal);
            foreach (var (job, pool) in _pools)
            {
                if (byJob.TryGetValue(job, out var cfg) && pool.Fingerprint == ManagerFingerprints.Of(cfg))
                {
                    pool.Config = cfg;
                    next[job] = pool;
                }
                else
                {
                    // A removed job's series end (stale markers); a changed job's go on in its new loops.
                    await pool.StopAllAsync(staleMarkers: cfg is null, cancellationToken);
                }
            }

            ulong seed = config.Global.ExternalLabels.Hash;
            foreach (var cfg in config.ScrapeConfigs.Where(c => !next.ContainsKey(c.JobName)))
            {
                next[cfg.JobName] = new ScrapePool(cfg, _sink, _http, _time, _loggers, seed);
            }

            _pools = next;
        }
        finally
        {
            _sync.Release();
        }

        // Publishes every job's groups synchronously (OnGroupsChanged), so the sync below sees all of them.
        _discovery.ApplyConfig(config.ScrapeConfigs);
        await SyncPendingAsync(cancellationToken);
    }

    /// <summary>Every job's active and dropped targets, ordered by job then URL.</summary>
    public TargetsSnapshot Targets()
    {
        var active = new List<ActiveTargetInfo>();
        var dropped = new List<DroppedTargetInfo>();
        foreach (var (job, pool) in _pools.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var (a, d) = pool.Snapshot;
            active.AddRange(a.Select(t => new ActiveTargetInfo(job, t.Target, t.Loop.Status)));
            dropped.AddRange(d.Select(l => new DroppedTargetInfo(job, l)));
        }

        return new TargetsSnapshot(active, dropped);
    }

    /// <summary>Stops discovery and every loop without stale markers (Prometheus writes none at shutdown, so series continue after a restart).</summary>
    public async ValueTask DisposeAsync()
    {
        await _sync.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _discovery.GroupsChanged -= OnGroupsChanged;
            _discovery.Dispose();
            await _stop.CancelAsync();
            foreach (var pool in _pools.Values)
            {
                await pool.StopAllAsync(staleMarkers: false, CancellationToken.None);
            }

            _pools = new Dictionary<string, ScrapePool>(StringComparer.Ordinal);
        }
        finally
        {
            _sync.Release();
        }
    }

    private void OnGroupsChanged(string job, IReadOnlyList<TargetGroup> groups)
    {
        lock (_pending)
        {
            _pending[job] = groups;
        }

        // File discovery raises this on its own thread; the sync runs under the manager's lock, off that thread.
        _ = Task.Run(async () =>
        {
            try
            {
                await SyncPendingAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Shutting down.
            }
            catch (Exception e)
            {
                _logger.LogError(e, "applying discovered targets of job {Job} failed", job);
            }
        });
    }

    private async Task SyncPendingAsync(CancellationToken cancellationToken)
    {
        await _sync.WaitAsync(cancellationToken);
        try
        {
            if (_disposed)
            {
                return;
            }

            List<KeyValuePair<string, IReadOnlyList<TargetGroup>>> work;
            lock (_pending)
            {
                work = [.. _pending];
                _pending.Clear();
            }

            foreach (var (job, groups) in work)
            {
                if (_pools.TryGetValue(job, out var pool))
                {
                    await pool.SyncAsync(groups, cancellationToken);
                }
            }
        }
        finally
        {
            _sync.Release();
        }
    }
}
