using MetricsCluster.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsCluster.Agent.Scrape;

/// <summary>
/// Scrapes one target forever: first at the target's offset in the interval (<see cref="ScrapeOffset"/>), then
/// every interval; each scrape's samples, stale markers and report series go to the sink as one batch. When
/// stopped (target gone) it writes stale markers for everything it wrote last. Scrapes never overlap: the
/// loop's state (cache, series sets, buffers) is owned by the single running task.
/// </summary>
public sealed partial class ScrapeLoop : IAsyncDisposable
{
    private readonly ScrapeTarget _target;
    private readonly HttpClient _http;
    private readonly ISampleSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ulong _offsetSeed;
    private readonly SeriesCache _cache = new();
    private readonly List<ScrapedSample> _batch = [];
    private readonly List<KeyValuePair<string, string>> _labelScratch = [];
    private readonly ReportLabels _report;
    private HashSet<Labels> _seriesCur = [];
    private HashSet<Labels> _seriesPrev = [];
    private CancellationTokenSource? _stop;
    private Task _run = Task.CompletedTask;
    private long _lastScrapeMs = long.MinValue;
    private volatile ScrapeStatus _status = ScrapeStatus.NotScraped;

    /// <summary>Creates a stopped loop.</summary>
    /// <param name="target">The target; validated here.</param>
    /// <param name="http">The client; the loop decompresses gzip itself, so the handler should not.</param>
    /// <param name="sink">Where batches go.</param>
    /// <param name="time">The clock (G6).</param>
    /// <param name="logger">Logs failed scrapes.</param>
    /// <param name="offsetSeed">Mixed into the offset hash, as Prometheus mixes in its external labels.</param>
    public ScrapeLoop(ScrapeTarget target, HttpClient http, ISampleSink sink, TimeProvider time, ILogger<ScrapeLoop>? logger = null, ulong offsetSeed = 0)
    {
        target.Validate();
        _target = target;
        _http = http;
        _sink = sink;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _offsetSeed = offsetSeed;
        _report = new ReportLabels(target.Labels);
    }

    /// <summary>The target this loop scrapes.</summary>
    public ScrapeTarget Target => _target;

    /// <summary>The last scrape's outcome, for the targets API (thread-safe snapshot).</summary>
    public ScrapeStatus Status => _status;

    /// <summary>Number of series texts in the per-target cache (tests and diagnostics).</summary>
    internal int CachedSeries => _cache.Count;

    /// <summary>Starts scraping in the background.</summary>
    public void Start()
    {
        if (_stop is not null)
        {
            throw new InvalidOperationException("the scrape loop was already started");
        }

        _stop = new CancellationTokenSource();
        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>
    /// Stops the loop, waits for a running scrape to end, and writes stale markers for every series of the last
    /// scrape and for the report series (Prometheus' end-of-run staleness; written at once rather than after
    /// Prometheus' two-interval grace, because the caller stops a loop only when its target is gone).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
            // The expected way out of the loop.
        }

        _stop.Dispose();
        _stop = null;
        await WriteEndOfRunStalenessAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private async Task RunAsync(CancellationToken ct)
    {
        var offset = ScrapeOffset.Compute(_target, _time.GetUtcNow(), _offsetSeed);
        await Task.Delay(offset, _time, ct);
        using var timer = new PeriodicTimer(_target.Interval, _time);
        do
        {
            try
            {
                await ScrapeOnceAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The sink failed; the samples of this scrape are lost, the next scrape tries again.
                _logger.LogWarning(e, "writing the scrape of {Url} failed", _target.Url);
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    /// <summary>Runs one scrape and writes its batch; the background loop calls it every interval.</summary>
    internal async Task ScrapeOnceAsync(CancellationToken ct)
    {
        var start = _time.GetUtcNow();
        long startTicks = _time.GetTimestamp();
        long ts = start.ToUnixTimeMilliseconds();
        _batch.Clear();
        _seriesCur.Clear();
        var counts = default(AppendCounts);
        _failedCounts = default;
        string? error = null;
        try
        {
            var (length, openMetrics) = await FetchAsync(ct);
            counts = Append(_body.AsSpan(0, length), openMetrics, ts);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            error = e is ScrapeFailedException or Parsing.ExpositionParseException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            counts = _failedCounts;
            _batch.Clear();
            _seriesCur.Clear();
            _logger.LogDebug("scrape of {Url} failed: {Error}", _target.Url, error);
        }

        AppendStaleMarkers(_seriesPrev, _seriesCur, ts);
        var duration = _time.GetElapsedTime(startTicks);
        AppendReport(ts, error is null ? 1 : 0, duration, counts);
        await _sink.WriteAsync(_batch, ct);
        _batch.Clear();
        (_seriesPrev, _seriesCur) = (_seriesCur, _seriesPrev);
        _lastScrapeMs = ts;
        _status = new ScrapeStatus(error is null ? ScrapeHealth.Up : ScrapeHealth.Down, start, duration, error);
    }

    private void AppendStaleMarkers(HashSet<Labels> previous, HashSet<Labels> current, long ts)
    {
        foreach (var labels in previous)
        {
            if (!current.Contains(labels))
            {
                _batch.Add(new ScrapedSample(labels, ts, StaleMarker.Value));
            }
        }
    }

    private void AppendReport(long ts, double up, TimeSpan duration, AppendCounts counts)
    {
        _batch.Add(new ScrapedSample(_report.Up, ts, up));
        _batch.Add(new ScrapedSample(_report.Duration, ts, duration.TotalSeconds));
        _batch.Add(new ScrapedSample(_report.SamplesScraped, ts, counts.Scraped));
        _batch.Add(new ScrapedSample(_report.SamplesPostRelabeling, ts, counts.PostRelabeling));
        _batch.Add(new ScrapedSample(_report.SeriesAdded, ts, counts.SeriesAdded));
    }

    private async Task WriteEndOfRunStalenessAsync(CancellationToken ct)
    {
        if (_lastScrapeMs == long.MinValue)
        {
            return;
        }

        // After the last scrape's timestamp, so the marker sorts after the last sample even on a coarse clock.
        long ts = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds(), _lastScrapeMs + 1);
        _batch.Clear();
        AppendStaleMarkers(_seriesPrev, [], ts);
        foreach (var labels in _report.All)
        {
            _batch.Add(new ScrapedSample(labels, ts, StaleMarker.Value));
        }

        await _sink.WriteAsync(_batch, ct);
        _batch.Clear();
        _seriesPrev.Clear();
        _lastScrapeMs = long.MinValue;
    }

    /// <summary>The report series' label sets, built once per loop.</summary>
    private sealed class ReportLabels(Labels target)
    {
        public Labels Up { get; } = SampleLabels.Report(target, "up");

        public Labels Duration { get; } = SampleLabels.Report(target, "scrape_duration_seconds");

        public Labels SamplesScraped { get; } = SampleLabels.Report(target, "scrape_samples_scraped");

        public Labels SamplesPostRelabeling { get; } = SampleLabels.Report(target, "scrape_samples_post_metric_relabeling");

        public Labels SeriesAdded { get; } = SampleLabels.Report(target, "scrape_series_added");

        public Labels[] All => [Up, Duration, SamplesScraped, SamplesPostRelabeling, SeriesAdded];
    }
}
