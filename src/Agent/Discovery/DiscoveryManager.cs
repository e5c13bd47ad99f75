using Microsoft.Extensions.Logging;
using MetricsCluster.Agent.Config;

namespace MetricsCluster.Agent.Discovery;

/// <summary>
/// Runs service discovery for every scrape job (static_configs and file_sd_configs) and publishes the current
/// target groups per job: <see cref="GroupsChanged"/> fires with the job's complete group list whenever it
/// changes, and <see cref="Groups"/> returns it on demand. Feed each list to <c>TargetBuilder.FromGroup</c>.
/// </summary>
public sealed class DiscoveryManager : IDisposable
{
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private readonly Dictionary<string, JobDiscovery> _jobs = new(StringComparer.Ordinal);

    /// <summary>Creates an idle manager; call <see cref="ApplyConfig"/>.</summary>
    public DiscoveryManager(ILoggerFactory loggers, TimeProvider time)
    {
        _loggers = loggers;
        _time = time;
    }

    /// <summary>
    /// Raised with (job name, all current groups of the job) after they changed, on discovery threads, one call
    /// per job at a time. Handlers must return quickly and must not call <see cref="ApplyConfig"/> or
    /// <see cref="Dispose"/> synchronously (those wait for the discovery threads).
    /// </summary>
    public event Action<string, IReadOnlyList<TargetGroup>>? GroupsChanged;

    /// <summary>The jobs currently discovered.</summary>
    public IReadOnlyList<string> Jobs
    {
        get
        {
            lock (_lock)
            {
                return [.. _jobs.Keys];
            }
        }
    }

    /// <summary>The current groups of <paramref name="job"/> (empty for an unknown job).</summary>
    public IReadOnlyList<TargetGroup> Groups(string job)
    {
        lock (_lock)
        {
            return _jobs.TryGetValue(job, out var j) ? j.Current() : [];
        }
    }

    /// <summary>
    /// Replaces all providers with those of <paramref name="scrapeConfigs"/>: old providers stop, new ones read
    /// their files at once, and every job's groups are published.
    /// </summary>
    public void ApplyConfig(IReadOnlyList<ScrapeConfig> scrapeConfigs)
    {
        List<JobDiscovery> old;
        var fresh = new List<JobDiscovery>();
        lock (_lock)
        {
            old = [.. _jobs.Values];
            _jobs.Clear();
            foreach (var cfg in scrapeConfigs)
            {
                var job = new JobDiscovery(cfg, _loggers.CreateLogger<FileDiscovery>(), _time, Publish);
                _jobs[cfg.JobName] = job;
                fresh.Add(job);
            }
        }

        foreach (var j in old)
        {
            j.Dispose();
        }

        foreach (var j in fresh)
        {
            j.Start();
            Publish(j);
        }
    }

    /// <summary>Stops every provider.</summary>
    public void Dispose()
    {
        List<JobDiscovery> all;
        lock (_lock)
        {
            all = [.. _jobs.Values];
            _jobs.Clear();
        }

        foreach (var j in all)
        {
            j.Dispose();
        }
    }

    private void Publish(JobDiscovery job)
    {
        // Serialised so that subscribers see each job's lists in the order they were computed.
        lock (job)
        {
            bool live;
            lock (_lock)
            {
                live = _jobs.TryGetValue(job.Name, out var current) && ReferenceEquals(current, job);
            }

            if (live)
            {
                GroupsChanged?.Invoke(job.Name, job.Current());
            }
        }
    }

    /// <summary>The providers of one job.</summary>
    private sealed class JobDiscovery : IDisposable
    {
        private readonly ScrapeConfig _cfg;
        private readonly List<FileDiscovery> _files;
        private readonly Action<JobDiscovery> _publish;

        public JobDiscovery(ScrapeConfig cfg, ILogger logger, TimeProvider time, Action<JobDiscovery> publish)
        {
            _cfg = cfg;
            _publish = publish;
            _files = [.. cfg.FileSdConfigs.Select(f => new FileDiscovery(f, logger, time))];
        }

        public string Name => _cfg.JobName;

        public IReadOnlyList<TargetGroup> Current() => [.. _cfg.StaticConfigs, .. _files.SelectMany(f => f.Current)];

        public void Start()
        {
            foreach (var f in _files)
            {
                f.Start();
                f.Changed += _ => _publish(this);
            }
        }

        public void Dispose()
        {
            foreach (var f in _files)
            {
                f.Dispose();
            }
        }
    }
}
