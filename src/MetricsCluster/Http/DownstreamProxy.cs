namespace MetricsCluster.Http;

/// <summary>
/// The standalone query-frontend's pass-through (Mimir's frontend proxies what it does not handle itself): any request
/// under the Prometheus prefix that no endpoint of this process answers (series, labels, label values, metadata,
/// exemplars, remote read, status, cardinality, rules...) is sent unchanged to the downstream queriers, and their
/// answer is copied back, status, headers and body.
/// </summary>
/// <remarks>
/// Bounded like the query path: the shared <see cref="HttpClient"/>'s timeout per request, and a response body cap;
/// a body over the cap is cut off by aborting the connection, since its status line is already sent by then.
/// </remarks>
internal static class DownstreamProxy
{
    // Hop-by-hop headers (RFC 9110 §7.6.1) and Host belong to one connection and are not forwarded.
    private static readonly HashSet<string> s_hopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    /// <summary>Maps the catch-all route <c>{prefix}/{**rest}</c>; literal routes of this process keep precedence.</summary>
    public static void MapDownstreamProxy(this IEndpointRouteBuilder app, string prefix, HttpClient http, Uri downstream, long maxResponseBytes) =>
        app.Map(prefix + "/{**rest}", ctx => ForwardAsync(ctx, http, downstream, maxResponseBytes));

    private static async Task ForwardAsync(HttpContext ctx, HttpClient http, Uri downstream, long maxResponseBytes)
    {
        using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), new Uri(downstream, ctx.Request.Path.Value!.TrimStart('/') + ctx.Request.QueryString));
        if (ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(ctx.Request.Body);
        }

        foreach (var (name, values) in ctx.Request.Headers)
        {
            if (!s_hopByHop.Contains(name) && !request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ctx.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            await PlainAsync(ctx, StatusCodes.Status502BadGateway, $"error forwarding to the querier at {downstream}: {e.Message}");
            return;
        }
        catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            await PlainAsync(ctx, StatusCodes.Status504GatewayTimeout, $"the querier at {downstream} did not answer within {http.Timeout}");
            return;
        }

        using (response)
        {
            await CopyAsync(ctx, response, downstream, maxResponseBytes);
        }
    }

    private static async Task CopyAsync(HttpContext ctx, HttpResponseMessage response, Uri downstream, long maxResponseBytes)
    {
        if (response.Content.Headers.ContentLength > maxResponseBytes)
        {
            await PlainAsync(ctx, StatusCodes.Status502BadGateway, $"the querier's response from {downstream} is larger than {maxResponseBytes} bytes (-query-frontend.downstream-max-response-bytes)");
            return;
        }

        ctx.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!s_hopByHop.Contains(name))
            {
                ctx.Response.Headers[name] = values.ToArray();
            }
        }

        await using var body = await response.Content.ReadAsStreamAsync(ctx.RequestAborted);
        var buffer = new byte[81920];
        long copied = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, ctx.RequestAborted)) > 0)
        {
            copied += n;
            if (copied > maxResponseBytes)
            {
                // The status and part of the body are sent: only a broken connection tells the client it is incomplete.
                ctx.Abort();
                return;
            }

            await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, n), ctx.RequestAborted);
        }
    }

    private static async Task PlainAsync(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(message, ctx.RequestAborted);
    }
}
