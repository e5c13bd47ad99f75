using System.Diagnostics;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.Querier.Api;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace MetricsCluster;

/// <summary>
/// Warms the query path once the server listens, and holds /ready until it is done (issue 18, item 4: the first
/// query after a start within 2x of the same query warm). It runs <see cref="QueryPathWarmup"/> on the process'
/// engine, then an instant and a range query through this process' own HTTP pipeline (Kestrel, routing, the
/// middlewares, the query-frontend when it runs here, the queryable and the calls to ingesters and store-gateways)
/// selecting a metric no series has, as tenant <see cref="WarmupTenant"/>. A failure is logged and ends the
/// warm-up: it never keeps the process from becoming ready.
/// </summary>
internal sealed class QueryWarmup(QueryEngine engine, IServer server, IHostApplicationLifetime lifetime, ILogger<QueryWarmup> log) : BackgroundService
{
    /// <summary>The tenant the warm-up queries name (no series ever has the metric they select).</summary>
    internal const string WarmupTenant = "__warmup__";

    private volatile bool _done;

    /// <summary>Whether the warm-up has finished (or given up).</summary>
    public bool Done => _done;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // The loopback request needs the listening address, known once the server has started.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
            {
                await started.Task;
            }

            long begin = Stopwatch.GetTimestamp();
            int answered = await QueryPathWarmup.RunAsync(engine, stoppingToken);
            await RequestSelfAsync(stoppingToken);
            log.LogInformation("query path warmed up in {Ms} ms ({Answered} synthetic answers)", (long)Stopwatch.GetElapsedTime(begin).TotalMilliseconds, answered);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down before the warm-up finished.
        }
        catch (Exception e)
        {
            log.LogWarning(e, "query path warm-up failed; the first queries will be slower");
        }
        finally
        {
            _done = true;
        }
    }

    private async Task RequestSelfAsync(CancellationToken ct)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            return;
        }

        // Kestrel reports wildcard bindings as given (http://0.0.0.0:9009, http://[::]:9009, http://+:9009).
        var uri = new UriBuilder(address.Replace("://+:", "://localhost:", StringComparison.Ordinal).Replace("://*:", "://localhost:", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "127.0.0.1";
        }

        // A selector no series has, for a tenant reserved for this: it passes the query handlers, the query-frontend,
        // the queryable and the calls to ingesters and store-gateways, which find nothing and create nothing.
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string query = "query=" + Uri.EscapeDataString("sum by (job) (rate({__name__=\"warmup_nothing\"}[5m]))");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("X-Scope-OrgID", WarmupTenant);
        foreach (string pathAndQuery in (string[])[
            $"/prometheus/api/v1/query?{query}&time={now}",
            $"/prometheus/api/v1/query_range?{query}&start={now - 3600}&end={now}&step=60"])
        {
            using var response = await http.GetAsync(new Uri(uri.Uri, pathAndQuery), ct);
            await response.Content.ReadAsByteArrayAsync(ct);
        }
    }
}
