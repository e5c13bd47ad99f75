using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Ruler.Notifier;

/// <summary>
/// Sends alerts to every configured Alertmanager (API v2, <c>POST /api/v2/alerts</c>), as Prometheus' notifier does:
/// one bounded queue (overflow drops the oldest, counted), batches of at most <see cref="MaxBatchSize"/> alerts of one
/// tenant, each batch posted to all Alertmanagers at once with a timeout; a batch no Alertmanager took is counted as
/// dropped. Evaluation never waits for a send.
/// </summary>
public sealed class AlertNotifier : BackgroundService
{
    /// <summary>Most alerts per request (Prometheus' <c>maxBatchSize</c>).</summary>
    public const int MaxBatchSize = 64;

    private readonly Queue<NotifierAlert> _queue = new();
    private readonly SemaphoreSlim _more = new(0);
    private readonly IReadOnlyList<AlertmanagerTarget> _targets;
    private readonly RulerOptions _options;
    private readonly RulerMetrics _metrics;
    private readonly HttpClient _http;
    private readonly ILogger _log;

    /// <summary>Creates the notifier for <see cref="RulerOptions.AlertmanagerUrls"/>.</summary>
    public AlertNotifier(RulerOptions options, RulerMetrics metrics, HttpClient http, ILogger<AlertNotifier> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _metrics = metrics;
        _http = http;
        _log = log;
        _targets = options.AlertmanagerUrls.Select(u => new AlertmanagerTarget(u)).ToArray();
    }

    /// <summary>Whether any Alertmanager is configured.</summary>
    public bool Enabled => _targets.Count > 0;

    /// <summary>Queues <paramref name="alerts"/>; never blocks.</summary>
    public void Send(IReadOnlyList<NotifierAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        if (alerts.Count == 0 || !Enabled)
        {
            return;
        }

        int added = 0;
        lock (_queue)
        {
            foreach (var a in alerts)
            {
                _queue.Enqueue(a);
                added++;
                if (_queue.Count > _options.NotificationQueueCapacity)
                {
                    var dropped = _queue.Dequeue();
                    added--;
                    _metrics.NotificationsDropped.WithLabels(dropped.Tenant).Inc();
                }
            }

            _metrics.QueueLength.WithLabels().Set(_queue.Count);
        }

        if (added > 0)
        {
            _more.Release();
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _more.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            while (TakeBatch() is { Count: > 0 } batch)
            {
                await PostAsync(batch, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _more.Dispose();
        base.Dispose();
    }

    // One tenant per batch: the tenant travels in a header.
    private List<NotifierAlert>? TakeBatch()
    {
        lock (_queue)
        {
            if (_queue.Count == 0)
            {
                return null;
            }

            string tenant = _queue.Peek().Tenant;
            var batch = new List<NotifierAlert>(Math.Min(MaxBatchSize, _queue.Count));
            while (batch.Count < MaxBatchSize && _queue.Count > 0 && _queue.Peek().Tenant == tenant)
            {
                batch.Add(_queue.Dequeue());
            }

            _metrics.QueueLength.WithLabels().Set(_queue.Count);
            return batch;
        }
    }

    private async Task PostAsync(List<NotifierAlert> batch, CancellationToken stoppingToken)
    {
        byte[] body = Encode(batch);
        string tenant = batch[0].Tenant;
        var sends = _targets.Select(t => PostOneAsync(t, tenant, body, batch.Count, stoppingToken)).ToArray();
        bool[] ok = await Task.WhenAll(sends).ConfigureAwait(false);
        if (!ok.Any(x => x))
        {
            _metrics.NotificationsDropped.WithLabels(tenant).Add(batch.Count);
        }
    }

    private async Task<bool> PostOneAsync(AlertmanagerTarget target, string tenant, byte[] body, int count, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_options.NotificationTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target.PostUrl) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = target.Authorization;
            request.Headers.Add("X-Scope-OrgID", tenant);
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"bad response status {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            _metrics.NotificationsSent.WithLabels(tenant, target.Name).Add(count);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
        {
            _metrics.NotificationErrors.WithLabels(tenant, target.Name).Add(count);
            _log.LogWarning("ruler: sending {Count} alerts of tenant {Tenant} to {Alertmanager} failed: {Error}", count, tenant, target.Name, e.Message);
            return false;
        }
    }

    /// <summary>The v2 body: a JSON array of <c>PostableAlert</c>s.</summary>
    public static byte[] Encode(IReadOnlyList<NotifierAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartArray();
            foreach (var a in alerts)
            {
                w.WriteStartObject();
                w.WriteStartObject("labels");
                foreach (var (name, value) in a.Labels.Pairs())
                {
                    w.WriteString(name, value);
                }

                w.WriteEndObject();
                w.WriteStartObject("annotations");
                foreach (var (name, value) in a.Annotations)
                {
                    w.WriteString(name, value);
                }

                w.WriteEndObject();
                if (a.StartsAtMs != 0)
                {
                    w.WriteString("startsAt", Rfc3339(a.StartsAtMs));
                }

                if (a.EndsAtMs != 0)
                {
                    w.WriteString("endsAt", Rfc3339(a.EndsAtMs));
                }

                w.WriteString("generatorURL", a.GeneratorUrl);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return stream.ToArray();
    }

    private static string Rfc3339(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
