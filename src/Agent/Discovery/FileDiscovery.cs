using Microsoft.Extensions.Logging;
using MetricsCluster.Agent.Config;

namespace MetricsCluster.Agent.Discovery;

/// <summary>
/// One <c>file_sd_configs</c> entry at run time (Prometheus' discovery/file): expands the globs, reads every
/// matching file, and re-reads when a watched directory changes and every refresh interval. A file that fails
/// to read keeps its previous groups (and is logged); a file that disappears loses its groups.
/// </summary>
public sealed class FileDiscovery : IDisposable
{
    private readonly FileSdConfig _config;
    private readonly ILogger _logger;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _lock = new();
    private readonly object _refreshLock = new();
    private readonly TimeProvider _time;
    private Dictionary<string, List<TargetGroup>> _byFile = new(StringComparer.Ordinal);
    private IReadOnlyList<TargetGroup> _current = [];
    private ITimer? _timer;
    private Task? _loop;
    private long _readErrors;

    /// <summary>Creates the provider; nothing is read until <see cref="Start"/> or <see cref="Refresh"/>.</summary>
    public FileDiscovery(FileSdConfig config, ILogger logger, TimeProvider time)
    {
        _config = config;
        _logger = logger;
        _time = time;
    }

    /// <summary>Raised with all current groups of this provider after a refresh changed them.</summary>
    public event Action<IReadOnlyList<TargetGroup>>? Changed;

    /// <summary>The current groups, in file then index order.</summary>
    public IReadOnlyList<TargetGroup> Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>How many file reads failed so far (Prometheus' prometheus_sd_file_read_errors_total).</summary>
    public long ReadErrors => Interlocked.Read(ref _readErrors);

    /// <summary>Reads the files once, then watches their directories and refreshes on the interval.</summary>
    public void Start()
    {
        Refresh();
        foreach (string dir in _config.Files.Select(f => Path.GetDirectoryName(f) ?? ".").Distinct(StringComparer.Ordinal))
        {
            TryWatch(dir);
        }

        _timer = _time.CreateTimer(_ => Signal(), null, _config.RefreshInterval, _config.RefreshInterval);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Re-reads every matching file now; raises <see cref="Changed"/> when the groups differ.</summary>
    public void Refresh()
    {
        // One refresh at a time, so a slow read cannot overwrite the result of a newer one.
        lock (_refreshLock)
        {
            RefreshLocked();
        }
    }

    private void RefreshLocked()
    {
        Dictionary<string, List<TargetGroup>> previous;
        lock (_lock)
        {
            previous = _byFile;
        }

        var next = new Dictionary<string, List<TargetGroup>>(StringComparer.Ordinal);
        foreach (string file in ListFiles())
        {
            try
            {
                next[file] = FileSdReader.Parse(file, File.ReadAllText(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                Interlocked.Increment(ref _readErrors);
                _logger.LogError("file_sd: error reading {Path}, keeping its previous targets: {Error}", file, e.Message);
                if (previous.TryGetValue(file, out var old))
                {
                    next[file] = old;
                }
            }
        }

        var flat = next.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value).ToList();
        bool changed;
        lock (_lock)
        {
            changed = !flat.SequenceEqual(_current, TargetGroupComparer.Instance);
            _byFile = next;
            _current = flat;
        }

        if (changed)
        {
            Changed?.Invoke(flat);
        }
    }

    /// <summary>Stops watching.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _timer?.Dispose();
        foreach (var w in _watchers)
        {
            w.Dispose();
        }

        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // The loop ends by cancellation; nothing to report.
        }

        _stop.Dispose();
        _signal.Dispose();
    }

    private IEnumerable<string> ListFiles()
    {
        var options = new EnumerationOptions { MatchType = MatchType.Simple, MatchCasing = MatchCasing.CaseSensitive, RecurseSubdirectories = false };
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string pattern in _config.Files)
        {
            string dir = Path.GetDirectoryName(pattern) ?? ".";
            string name = Path.GetFileName(pattern);
            if (!name.Contains('*') && !name.Contains('?'))
            {
                if (File.Exists(pattern))
                {
                    files.Add(pattern);
                }

                continue;
            }

            if (Directory.Exists(dir))
            {
                files.UnionWith(Directory.EnumerateFiles(dir, name, options));
            }
        }

        return files;
    }

    private void TryWatch(string dir)
    {
        if (!Directory.Exists(dir))
        {
            // Prometheus logs and relies on the refresh interval until the directory exists.
            _logger.LogWarning("file_sd: cannot watch {Dir} (missing); relying on refresh_interval", dir);
            return;
        }

        var w = new FileSystemWatcher(dir)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        w.Changed += (_, _) => Signal();
        w.Created += (_, _) => Signal();
        w.Deleted += (_, _) => Signal();
        w.Renamed += (_, _) => Signal();
        w.Error += (_, e) => _logger.LogWarning("file_sd: watcher error on {Dir}: {Error}", dir, e.GetException().Message);
        try
        {
            w.EnableRaisingEvents = true;
        }
        catch (IOException e)
        {
            // For example the inotify instance limit: discovery still works, only later.
            _logger.LogWarning("file_sd: cannot watch {Dir} ({Error}); relying on refresh_interval", dir, e.Message);
            w.Dispose();
            return;
        }

        _watchers.Add(w);
    }

    private void Signal()
    {
        try
        {
            // One pending signal is enough: a refresh reads every file.
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
        {
            // Already signalled, or shutting down.
        }
    }

    private async Task LoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(token);
                Refresh();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "file_sd: refresh failed");
            }
        }
    }
}
