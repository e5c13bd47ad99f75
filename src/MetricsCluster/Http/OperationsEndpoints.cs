using System.Diagnostics;
using MetricsCluster.Config;
using MetricsCluster.Core.Metrics;

namespace MetricsCluster.Http;

/// <summary>/ready, /metrics, /config and the request-duration middleware.</summary>
public static class OperationsEndpoints
{
    /// <summary>Maps the operational endpoints.</summary>
    public static void MapOperations(this WebApplication app, ClusterConfig config, Func<(bool Ready, string Why)> readiness)
    {
        app.MapGet("/ready", () =>
        {
            var (ready, why) = readiness();
            return ready ? Results.Text("ready\n") : Results.Text(why + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/metrics", (MetricsRegistry registry) =>
            Results.Text(registry.WriteText(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapGet("/config", () => Results.Text(ConfigDump.ToYaml(config), "text/yaml; charset=utf-8"));
    }

    /// <summary>Records <c>metricscluster_request_duration_seconds{method,route,status_code}</c>.</summary>
    public static void UseRequestMetrics(this WebApplication app, MetricsRegistry registry)
    {
        var family = registry.Histogram(
            "metricscluster_request_duration_seconds", "Time (in seconds) spent serving HTTP requests.", HistogramFamily.DefaultBuckets, "method", "route", "status_code");
        app.Use(async (ctx, next) =>
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                await next(ctx);
            }
            finally
            {
                string route = (ctx.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "other";
                family.WithLabels(ctx.Request.Method, route, ctx.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
        });
    }

    /// <summary>Standard process_* metrics read at scrape time.</summary>
    public static void RegisterProcessMetrics(MetricsRegistry registry)
    {
        var startTime = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        registry.GaugeCallback("process_resident_memory_bytes", "Resident memory size in bytes.", () => [([], Process.GetCurrentProcess().WorkingSet64)]);
        registry.CounterCallback("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", () => [([], Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds)]);
        registry.GaugeCallback("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", () => [([], new DateTimeOffset(startTime).ToUnixTimeMilliseconds() / 1000.0)]);
        registry.GaugeCallback("dotnet_gc_heap_size_bytes", "Managed heap size after the last GC.", () => [([], GC.GetGCMemoryInfo().HeapSizeBytes)]);
    }
}
