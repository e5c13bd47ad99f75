using System.Net.Http.Headers;
using System.Text;

namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>
/// Posts remote-write 1.0 requests over HTTP with the headers the spec requires (wire-formats.md
/// section 1.1), the configured custom headers and credentials, and <c>remote_timeout</c> per request
/// (Prometheus <c>storage/remote/client.go</c>, <c>Client.Store</c>).
/// </summary>
public sealed class HttpRemoteWriteTransport : IRemoteWriteTransport, IDisposable
{
    /// <summary>The User-Agent sent with every request.</summary>
    public const string UserAgent = "MetricsCluster-Agent/1.0";

    // Prometheus keeps the first 1 KiB of an error body (maxErrMsgLen); a log line needs no more.
    private const int MaxBodyExcerpt = 1024;

    private readonly HttpClient _client;
    private readonly RemoteWriteOptions _options;
    private readonly TimeProvider _time;
    private readonly AuthenticationHeaderValue? _authorization;

    /// <summary>Initializes a new instance of the <see cref="HttpRemoteWriteTransport"/> class.</summary>
    /// <param name="options">The endpoint, headers and credentials; validated here.</param>
    /// <param name="time">Clock for HTTP-date <c>Retry-After</c> values.</param>
    /// <param name="handler">Optional handler (tests, proxies); disposed with the transport.</param>
    public HttpRemoteWriteTransport(RemoteWriteOptions options, TimeProvider time, HttpMessageHandler? handler = null)
    {
        options.Validate(requireUrl: true);
        _options = options;
        _time = time;
        // The per-request token enforces remote_timeout, so the client itself never times out.
        _client = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        if (options.BearerToken is not null)
        {
            _authorization = new AuthenticationHeaderValue("Bearer", options.BearerToken);
        }
        else if (options.BasicAuthUsername is not null)
        {
            string raw = options.BasicAuthUsername + ":" + (options.BasicAuthPassword ?? string.Empty);
            _authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(raw)));
        }
    }

    /// <inheritdoc/>
    public string Endpoint => _options.Url!.ToString();

    /// <inheritdoc/>
    public async Task<RemoteWriteResponse> SendAsync(ReadOnlyMemory<byte> body, int attempt, CancellationToken cancellationToken)
    {
        using var request = BuildRequest(body, attempt);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RemoteTimeout);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            int status = (int)response.StatusCode;
            string excerpt = status is >= 200 and < 300 ? string.Empty : await ReadExcerptAsync(response, timeout.Token);
            return new RemoteWriteResponse(status, RetryAfter.From(response.Headers.RetryAfter, _time.GetUtcNow()), excerpt);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"remote write to {Endpoint} timed out after {_options.RemoteTimeout} (remote_timeout)");
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private HttpRequestMessage BuildRequest(ReadOnlyMemory<byte> body, int attempt)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        request.Content.Headers.ContentEncoding.Add("snappy");
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        if (attempt > 0)
        {
            request.Headers.Add("Retry-Attempt", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var (name, value) in _options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.Authorization = _authorization;
        return request;
    }

    private static async Task<string> ReadExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        byte[] buffer = new byte[MaxBodyExcerpt];
        int total = 0;
        int n;
        while (total < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, total).Trim();
    }
}
