using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace MetricsCluster.Agent.Scrape;

/// <content>The HTTP side of a scrape: Prometheus' <c>targetScraper.scrape</c>.</content>
public sealed partial class ScrapeLoop
{
    /// <summary>
    /// Prometheus' Accept header for the protocols we parse, OpenMetrics first, weighted as its <c>acceptHeader</c>
    /// does (q from 0.6 down, <c>*/*</c> last). We ask for <c>escaping=underscores</c> so exporters that support
    /// UTF-8 names send legacy names, which every downstream component accepts.
    /// </summary>
    internal const string AcceptHeader =
        "application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,"
        + "application/openmetrics-text;version=0.0.1;q=0.5,"
        + "text/plain;version=0.0.4;q=0.4,*/*;q=0.3";

    private const int InitialBodyBuffer = 64 * 1024;

    /// <summary>The last body, reused across scrapes (owned by this loop alone; grown, never shrunk).</summary>
    private byte[] _body = new byte[InitialBodyBuffer];

    private async Task<(int Length, bool OpenMetrics)> FetchAsync(CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(_target.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var request = BuildRequest();
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new ScrapeFailedException($"server returned HTTP status {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            bool openMetrics = IsOpenMetrics(response.Content.Headers.ContentType?.MediaType);
            await using var raw = await response.Content.ReadAsStreamAsync(linked.Token);
            bool gzip = response.Content.Headers.ContentEncoding.Any(e => e.Equals("gzip", StringComparison.OrdinalIgnoreCase));
            await using var body = gzip ? new GZipStream(raw, CompressionMode.Decompress) : raw;
            return (await ReadBodyAsync(body, linked.Token), openMetrics);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new ScrapeFailedException($"scrape timed out after {_target.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s (scrape_timeout)");
        }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException or IOException)
        {
            throw new ScrapeFailedException($"scrape of {_target.Url} failed: {e.Message}", e);
        }
    }

    private HttpRequestMessage BuildRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _target.Url);
        request.Headers.TryAddWithoutValidation("Accept", AcceptHeader);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        request.Headers.TryAddWithoutValidation("User-Agent", "MetricsCluster-Agent");
        request.Headers.TryAddWithoutValidation("X-Prometheus-Scrape-Timeout-Seconds", _target.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        if (_target.BearerToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (_target.BasicAuthUsername is { } user)
        {
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{_target.BasicAuthPassword}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        }

        return request;
    }

    /// <summary>
    /// Picks the parser from the media type. No Content-Type falls back to text 0.0.4 (Prometheus 2.x behaviour);
    /// anything other than the two text formats fails the scrape.
    /// </summary>
    internal static bool IsOpenMetrics(string? mediaType)
    {
        if (string.IsNullOrEmpty(mediaType) || mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (mediaType.Equals("application/openmetrics-text", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        throw new ScrapeFailedException($"received unsupported Content-Type \"{mediaType}\"");
    }

    /// <summary>Reads the (decompressed) body into <see cref="_body"/>, enforcing body_size_limit.</summary>
    private async Task<int> ReadBodyAsync(Stream body, CancellationToken ct)
    {
        long limit = _target.BodySizeLimit;
        int length = 0;
        while (true)
        {
            if (length == _body.Length)
            {
                Array.Resize(ref _body, checked(_body.Length * 2));
            }

            int n = await body.ReadAsync(_body.AsMemory(length), ct);
            if (n == 0)
            {
                return length;
            }

            length += n;
            if (limit > 0 && length > limit)
            {
                throw new ScrapeFailedException($"body size limit exceeded (limit {limit} bytes, body_size_limit)");
            }
        }
    }
}
