using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace MetricsCluster.Tools.LoadGen;

/// <summary>
/// Runs the load: <c>concurrency</c> writers, each owning a contiguous slice of the series, each
/// sending its slice round by round in requests of up to <c>samples-per-request</c> series × 1 sample.
/// A writer encodes its next request while the current one is in flight, so generation overlaps
/// the network wait; only one request per writer is in flight, so every series is written in order.
/// </summary>
internal sealed class Runner
{
    private static readonly MediaTypeHeaderValue s_protobuf = new("application/x-protobuf");
    private static readonly TimeSpan s_minBackoff = TimeSpan.FromMilliseconds(30);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(5);

    private readonly LoadGenOptions _options;
    private readonly SeriesSet _series;
    private readonly Timeline _timeline;
    private readonly HttpClient? _client;
    private readonly TextWriter _log;
    private int _errorsShown;

    public Runner(LoadGenOptions options, SeriesSet series, Timeline timeline, HttpClient? client, TextWriter log)
    {
        _options = options;
        _series = series;
        _timeline = timeline;
        _client = client;
        _log = log;
    }

    /// <summary>An HTTP client tuned for the load: one pooled connection per writer, no proxy, no decompression.</summary>
    public static HttpClient CreateClient(LoadGenOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        var client = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = options.Timeout,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("metricscluster-loadgen");
        client.DefaultRequestHeaders.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        if (options.Tenant is { } tenant)
        {
            client.DefaultRequestHeaders.Add("X-Scope-OrgID", tenant);
        }

        return client;
    }

    public async Task<RunReport> RunAsync(CancellationToken cancellationToken)
    {
        int writers = _options.Concurrency;
        var stats = new WriterStats[writers];
        var encoders = new RequestEncoder[writers];
        var tasks = new Task[writers];
        var ranges = new (int From, int To)[writers];
        for (int w = 0; w < writers; w++)
        {
            int from = (int)((long)_series.Count * w / writers);
            int to = (int)((long)_series.Count * (w + 1) / writers);
            ranges[w] = (from, to);
            stats[w] = new WriterStats();
            encoders[w] = new RequestEncoder(_series, _timeline, Math.Min(_options.SamplesPerRequest, to - from));
        }

        encoders[0].WarmUp(ranges[0].From, Math.Min(ranges[0].From + _options.SamplesPerRequest, ranges[0].To));
        TimeSpan cpuAtStart = Environment.CpuUsage.TotalTime;
        Stopwatch clock = Stopwatch.StartNew();
        for (int w = 0; w < writers; w++)
        {
            (int from, int to) = ranges[w];
            WriterStats s = stats[w];
            RequestEncoder e = encoders[w];
            tasks[w] = Task.Run(() => RunWriterAsync(from, to, e, s, clock, cancellationToken), CancellationToken.None);
        }

        await Task.WhenAll(tasks);
        clock.Stop();
        return RunReport.Combine(_options, clock.Elapsed, Environment.CpuUsage.TotalTime - cpuAtStart, stats, encoders);
    }

    private async Task RunWriterAsync(
        int from, int to, RequestEncoder encoder, WriterStats stats, Stopwatch clock, CancellationToken cancellationToken)
    {
        using IEnumerator<Batch> batches = Batches(from, to).GetEnumerator();
        if (!batches.MoveNext())
        {
            return;
        }

        Batch current = batches.Current;
        byte[] body = encoder.Encode(current.Round, current.From, current.To);
        while (true)
        {
            if (cancellationToken.IsCancellationRequested || (_options.Duration is { } cap && clock.Elapsed >= cap))
            {
                stats.StoppedEarly = true;
                return;
            }

            // A dry run yields (to the global queue, so every writer gets a turn) instead of sending.
            Task send = _client is null
                ? YieldAsync()
                : SendAsync(body, current, stats, cancellationToken);
            if (_client is null)
            {
                stats.OkRequests++;
                stats.OkSamples += current.To - current.From;
                stats.CompressedBytes += body.Length;
            }

            // Encode the next request while this one is on the wire.
            bool hasNext = batches.MoveNext();
            Batch next = hasNext ? batches.Current : default;
            byte[]? nextBody = hasNext ? encoder.Encode(next.Round, next.From, next.To) : null;
            try
            {
                await send;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                stats.StoppedEarly = true;
                return;
            }

            if (!hasNext || next.Round != current.Round)
            {
                stats.RoundsCompleted = current.Round + 1;
                stats.RoundEnds.Add(clock.Elapsed);
            }

            if (!hasNext)
            {
                return;
            }

            current = next;
            body = nextBody!;
        }
    }

    private static async Task YieldAsync() => await Task.Yield();

    private IEnumerable<Batch> Batches(int from, int to)
    {
        int size = _options.SamplesPerRequest;
        for (int round = 0; round < _options.Rounds; round++)
        {
            for (int start = from; start < to; start += size)
            {
                yield return new Batch(round, start, Math.Min(start + size, to));
            }
        }
    }

    private async Task SendAsync(byte[] body, Batch batch, WriterStats stats, CancellationToken cancellationToken)
    {
        int samples = batch.To - batch.From;
        TimeSpan backoff = s_minBackoff;
        for (int attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url);
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = s_protobuf;
            content.Headers.ContentEncoding.Add("snappy");
            request.Content = content;
            if (attempt > 0)
            {
                request.Headers.Add("Retry-Attempt", attempt.ToString(CultureInfo.InvariantCulture));
            }

            stats.CompressedBytes += body.Length;
            long started = Stopwatch.GetTimestamp();
            int status;
            string detail;
            TimeSpan? retryAfter = null;
            try
            {
                using HttpResponseMessage response = await _client!.SendAsync(request, cancellationToken);
                stats.LatenciesMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    stats.OkRequests++;
                    stats.OkSamples += samples;
                    return;
                }

                detail = await response.Content.ReadAsStringAsync(cancellationToken);
                retryAfter = RetryAfter(response);
            }
            catch (HttpRequestException ex)
            {
                status = 0;
                detail = ex.InnerException is { } inner && !ex.Message.Contains(inner.Message, StringComparison.Ordinal)
                    ? $"{ex.Message} ({inner.Message})"
                    : ex.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                status = 0;
                detail = $"no response within --timeout {_options.Timeout.TotalSeconds:0.###}s";
            }

            bool retryable = status is 0 or 429 or >= 500;
            bool willRetry = _options.Retry && retryable && attempt < _options.MaxRetries;
            ReportFailure(batch, status, detail, willRetry ? attempt + 1 : 0);
            if (!willRetry)
            {
                stats.FailedRequests++;
                stats.FailedSamples += samples;
                stats.StatusCounts[status] = stats.StatusCounts.GetValueOrDefault(status) + 1;
                return;
            }

            stats.Retries++;
            await Task.Delay(retryAfter is { } ra && ra > TimeSpan.Zero ? ra : backoff, cancellationToken);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        RetryConditionHeaderValue? value = response.Headers.RetryAfter;
        if (value?.Delta is { } delta)
        {
            return delta;
        }

        return value?.Date is { } date ? date - DateTimeOffset.UtcNow : null;
    }

    private void ReportFailure(Batch batch, int status, string detail, int retryNumber)
    {
        if (Interlocked.Increment(ref _errorsShown) > _options.ShowErrors)
        {
            return;
        }

        string what = status == 0 ? "no HTTP response" : $"HTTP {status}";
        string body = detail.ReplaceLineEndings(" ").Trim();
        body = body.Length > 400 ? string.Concat(body.AsSpan(0, 400), "…") : body;
        string retry = retryNumber > 0 ? $", retry {retryNumber} follows" : string.Empty;
        _log.WriteLine(
            $"loadgen: request failed (round {batch.Round + 1}, series {batch.From}..{batch.To - 1}{retry}): {what}: {body}");
    }

    private readonly record struct Batch(int Round, int From, int To);
}

/// <summary>Counters of one writer; only that writer's code touches them, one step at a time.</summary>
internal sealed class WriterStats
{
    public long OkRequests;
    public long FailedRequests;
    public long OkSamples;
    public long FailedSamples;
    public long Retries;
    public long CompressedBytes;
    public int RoundsCompleted;
    public bool StoppedEarly;
    public readonly List<double> LatenciesMs = [];
    /// <summary>When this writer finished each round, since the start of the run.</summary>
    public readonly List<TimeSpan> RoundEnds = [];
    public readonly Dictionary<int, long> StatusCounts = [];
}
