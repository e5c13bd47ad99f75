using System.Globalization;
using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// The frontend's downstream over HTTP (<c>-query-frontend.downstream-url</c>): each split or cache gap is a form
/// POST to the querier's Prometheus API (<c>/prometheus/api/v1/query</c>, <c>query_range</c>) carrying the tenant in
/// <c>X-Scope-OrgID</c>, and the JSON answer is read back into a <see cref="QueryResult"/> bit for bit
/// (<see cref="PromResponseReader"/>). Failures become <see cref="QueryResult.Error"/>s with the querier's error
/// type, or the type of its status code; only the caller's cancellation throws.
/// </summary>
/// <remarks>
/// One <see cref="HttpClient"/> for the process (its connection pool is reused across queries), a time limit per
/// request (<see cref="HttpClient.Timeout"/>) and a bound on the body read (<paramref name="maxResponseBytes"/>), so a
/// querier answering a huge matrix fails that query instead of exhausting the frontend's memory.
/// </remarks>
/// <param name="http">The shared client; its <see cref="HttpClient.Timeout"/> is the per-request limit.</param>
/// <param name="baseUrl">The querier's base URL, e.g. <c>http://querier:8080</c>; the API prefix is appended.</param>
/// <param name="maxResponseBytes">Largest response body read; a larger one fails the sub-query.</param>
public sealed class HttpQueryDownstream(HttpClient http, Uri baseUrl, long maxResponseBytes) : IQueryDownstream
{
    /// <summary>The header carrying the tenant, as Mimir's.</summary>
    public const string TenantHeader = "X-Scope-OrgID";

    /// <inheritdoc/>
    public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken) =>
        PostAsync("prometheus/api/v1/query", tenant, [new("query", query), new("time", Seconds(timeMs))], cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken) =>
        PostAsync("prometheus/api/v1/query_range", tenant, [new("query", query), new("start", Seconds(startMs)), new("end", Seconds(endMs)), new("step", Seconds(stepMs))], cancellationToken);

    /// <summary>Milliseconds as the seconds Prometheus parses exactly (<c>12.345</c>).</summary>
    internal static string Seconds(long ms) => (ms / 1000m).ToString(CultureInfo.InvariantCulture);

    private async Task<QueryResult> PostAsync(string path, string tenant, KeyValuePair<string, string>[] form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, path)) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add(TenantHeader, tenant);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var body = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
            return body is null
                ? Failed(QueryErrorType.Internal, $"the querier's response is larger than {maxResponseBytes} bytes (-query-frontend.downstream-max-response-bytes)")
                : PromResponseReader.Read(body, (int)response.StatusCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout expired (the caller did not cancel).
            return Failed(QueryErrorType.Timeout, $"query timed out waiting for the querier after {http.Timeout}");
        }
        catch (HttpRequestException e)
        {
            return Failed(QueryErrorType.Internal, $"error querying the querier at {baseUrl}: {e.Message}");
        }
    }

    /// <summary>The body, or null when it is longer than the bound (read no further than one byte past it).</summary>
    private async Task<byte[]?> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is long declared && declared > maxResponseBytes)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > maxResponseBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }

    private static QueryResult Failed(QueryErrorType type, string message) => new(null, new QueryError(type, message), [], []);
}
