using System.Globalization;
using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Discovery;
using MetricsCluster.Agent.Relabel;
using MetricsCluster.Agent.Scrape;
using MetricsCluster.Agent.Targets;
using MetricsCluster.Core;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Agent.Manager;

/// <summary>
/// The loops of one scrape job (Prometheus' scrapePool): one <see cref="ScrapeLoop"/> per distinct target (URL,
/// labels, interval and timeout). Not thread-safe: <see cref="ScrapeManager"/> calls it under its sync lock;
/// only <see cref="Snapshot"/> may be read from any thread.
/// </summary>
internal sealed class ScrapePool
{
    private readonly ISampleSink _sink;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ulong _offsetSeed;
    private Dictionary<string, Entry> _loops = new(StringComparer.Ordinal);
    private volatile State _state = new([], []);

    public ScrapePool(ScrapeConfig config, ISampleSink sink, HttpClient http, TimeProvider time, ILoggerFactory loggers, ulong offsetSeed)
    {
        Config = config;
        Fingerprint = ManagerFingerprints.Of(config);
        _sink = sink;
        _http = http;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ScrapePool>();
        _offsetSeed = offsetSeed;
    }

    /// <summary>The job's configuration; replaced on reload when only discovery or target relabeling changed.</summary>
    public ScrapeConfig Config { get; set; }

    /// <summary>The settings the running loops were built with.</summary>
    public string Fingerprint { get; }

    /// <summary>The targets and loops after the last sync.</summary>
    public (IReadOnlyList<(DiscoveredTarget Target, ScrapeLoop Loop)> Active, IReadOnlyList<Labels> Dropped) Snapshot =>
        (_state.Active, _state.Dropped);

    /// <summary>Turns the job's current groups into targets; starts loops for new targets and stops vanished ones (writing stale markers).</summary>
    public async Task SyncAsync(IReadOnlyList<TargetGroup> groups, CancellationToken cancellationToken)
    {
        var next = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var dropped = new List<Labels>();
        foreach (var group in groups)
        {
            foreach (var result in TargetBuilder.FromGroup(Config, group))
            {
                if (result.Error is { } error)
                {
                    _logger.LogWarning("job {Job}: creating target failed: {Error}", Config.JobName, error);
                }
                else if (result.Dropped is { } labels)
                {
                    dropped.Add(labels);
                }
                else if (result.Target is { } target)
                {
                    string key = Key(target);
                    if (next.ContainsKey(key))
                    {
                        continue; // Prometheus de-duplicates identical targets of a job.
                    }

                    if (_loops.Remove(key, out var running))
                    {
                        next[key] = running with { Target = target };
                    }
                    else if (StartLoop(target) is { } started)
                    {
                        next[key] = started;
                    }
                }
            }
        }

        var vanished = _loops.Values.ToList();
        _loops = next;
        Publish(dropped);
        await Task.WhenAll(vanished.Select(e => e.Loop.StopAsync(cancellationToken)));
    }

    /// <summary>Stops every loop; <paramref name="staleMarkers"/> false mutes them first (reload with new settings, shutdown).</summary>
    public async Task StopAllAsync(bool staleMarkers, CancellationToken cancellationToken)
    {
        var all = _loops.Values.ToList();
        _loops = new Dictionary<string, Entry>(StringComparer.Ordinal);
        Publish([]);
        if (!staleMarkers)
        {
            foreach (var e in all)
            {
                e.Sink.Mute();
            }
        }

        await Task.WhenAll(all.Select(e => e.Loop.StopAsync(cancellationToken)));
    }

    private static string Key(DiscoveredTarget t) => string.Create(CultureInfo.InvariantCulture, $"{t.Url}\n{t.Labels}\n{t.Interval.Ticks}\n{t.Timeout.Ticks}");

    private static int Limit(ulong v) => v > int.MaxValue ? int.MaxValue : (int)v;

    private Entry? StartLoop(DiscoveredTarget t)
    {
        var cfg = Config;
        try
        {
            var target = new Scrape.ScrapeTarget
            {
                Labels = t.Labels,
                Url = t.Url,
                Interval = t.Interval,
                Timeout = t.Timeout,
                HonorLabels = cfg.HonorLabels,
                HonorTimestamps = cfg.HonorTimestamps,
                SampleLimit = Limit(cfg.SampleLimit),
                LabelLimit = Limit(cfg.LabelLimit),
                LabelNameLengthLimit = Limit(cfg.LabelNameLengthLimit),
                LabelValueLengthLimit = Limit(cfg.LabelValueLengthLimit),
                BodySizeLimit = cfg.BodySizeLimit,
                MetricRelabel = cfg.MetricRelabelConfigs.Count == 0 ? null : Relabeler.For(cfg.MetricRelabelConfigs),
                BearerToken = cfg.Auth.BearerToken ?? RemoteWriteSet.ReadSecret(cfg.Auth.BearerTokenFile),
                BasicAuthUsername = cfg.Auth.BasicAuth?.Username,
                BasicAuthPassword = cfg.Auth.BasicAuth is { } b ? b.Password ?? RemoteWriteSet.ReadSecret(b.PasswordFile) : null,
            };
            var sink = new LoopSink(_sink);
            var loop = new ScrapeLoop(target, _http, sink, _time, _loggers.CreateLogger<ScrapeLoop>(), _offsetSeed);
            loop.Start();
            return new Entry(t, loop, sink);
        }
        catch (Exception e) when (e is ArgumentException or ConfigException)
        {
            _logger.LogWarning("job {Job}: cannot scrape {Url}: {Error}", cfg.JobName, t.Url, e.Message);
            return null;
        }
    }

    private void Publish(List<Labels> dropped) =>
        _state = new State([.. _loops.Values.Select(e => (e.Target, e.Loop)).OrderBy(p => p.Target.Url.ToString(), StringComparer.Ordinal)], dropped);

    private sealed record Entry(DiscoveredTarget Target, ScrapeLoop Loop, LoopSink Sink);

    private sealed record State(IReadOnlyList<(DiscoveredTarget Target, ScrapeLoop Loop)> Active, IReadOnlyList<Labels> Dropped);
}
