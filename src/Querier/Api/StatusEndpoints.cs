using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MetricsCluster.Querier.Api;

/// <summary>What the status endpoints report about this process; the host fills it in.</summary>
/// <param name="ConfigYaml">The effective configuration as YAML (the <c>/config</c> page's text).</param>
/// <param name="Flags">Every command-line flag (without the leading dashes) and its effective value.</param>
/// <param name="StartTime">When the process started.</param>
/// <param name="StorageRetention">The blocks' retention as Prometheus prints it (<c>15d</c>, <c>0s</c>).</param>
public sealed record ProcessStatus(Func<string> ConfigYaml, Func<IReadOnlyDictionary<string, string>> Flags, DateTimeOffset StartTime, string StorageRetention);

/// <summary>
/// Prometheus' <c>status/config</c>, <c>status/flags</c> and <c>status/runtimeinfo</c> (web/api/v1 <c>serveConfig</c>,
/// <c>serveFlags</c>, <c>serveRuntimeInfo</c>), plus the ruler's <c>rules</c> and <c>alerts</c> answering Prometheus'
/// empty shapes until the ruler exists: Grafana's alerting views call them and a 404 breaks those views. None needs a tenant.
/// </summary>
public static class StatusEndpoints
{
    private static readonly Func<HttpContext, (string?, IResult?)> s_noTenant = _ => (string.Empty, null);

    /// <summary>Maps the status endpoints under <paramref name="prefix"/>.</summary>
    public static IEndpointRouteBuilder MapPrometheusStatus(this IEndpointRouteBuilder app, string prefix, ProcessStatus status)
    {
        app.MapGet(prefix + "/api/v1/status/config", ctx => PrometheusApi.Handle(ctx, s_noTenant, (_, _, w) =>
        {
            w.WriteStartObject();
            w.WriteString("yaml", status.ConfigYaml());
            w.WriteEndObject();
            return Task.CompletedTask;
        }));
        app.MapGet(prefix + "/api/v1/status/flags", ctx => PrometheusApi.Handle(ctx, s_noTenant, (_, _, w) =>
        {
            // Go marshals a map with sorted keys; so do we.
            w.WriteStartObject();
            foreach (var (flag, value) in status.Flags().OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                w.WriteString(flag, value);
            }

            w.WriteEndObject();
            return Task.CompletedTask;
        }));
        app.MapGet(prefix + "/api/v1/status/runtimeinfo", ctx => PrometheusApi.Handle(ctx, s_noTenant, (_, _, w) =>
        {
            WriteRuntimeInfo(w, status);
            return Task.CompletedTask;
        }));
        return app;
    }

    /// <summary>
    /// Maps <c>rules</c> and <c>alerts</c> with Prometheus' empty answers (<c>{"groups":[]}</c>, <c>{"alerts":[]}</c>)
    /// while no ruler runs. The tenant is still required, as the ruler will require it.
    /// </summary>
    public static IEndpointRouteBuilder MapEmptyRulerApi(this IEndpointRouteBuilder app, string prefix, Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant)
    {
        app.MapGet(prefix + "/api/v1/rules", ctx => PrometheusApi.Handle(ctx, resolveTenant, (_, p, w) =>
        {
            // Prometheus rejects an unknown type before answering.
            if (p.One("type") is { Length: > 0 } type && type is not ("alert" or "record"))
            {
                throw new ApiException($"invalid parameter \"type\": not supported value \"{type}\"");
            }

            w.WriteStartObject();
            w.WriteStartArray("groups");
            w.WriteEndArray();
            w.WriteEndObject();
            return Task.CompletedTask;
        }));
        app.MapGet(prefix + "/api/v1/alerts", ctx => PrometheusApi.Handle(ctx, resolveTenant, (_, _, w) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("alerts");
            w.WriteEndArray();
            w.WriteEndObject();
            return Task.CompletedTask;
        }));
        return app;
    }

    /// <summary>The agent's targets API when no agent runs: Prometheus' shape with both lists empty.</summary>
    public static IEndpointRouteBuilder MapEmptyTargets(this IEndpointRouteBuilder app, string prefix)
    {
        app.MapGet(prefix + "/api/v1/targets", ctx => PrometheusApi.Handle(ctx, s_noTenant, (_, _, w) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("activeTargets");
            w.WriteEndArray();
            w.WriteStartArray("droppedTargets");
            w.WriteEndArray();
            w.WriteEndObject();
            return Task.CompletedTask;
        }));
        return app;
    }

    /// <summary>
    /// Prometheus' <c>RuntimeInfo</c> keys in its order. The Go-runtime fields get their .NET counterparts:
    /// goroutineCount is the process's thread count, GOMAXPROCS the processor count, GOGC the GC mode and GODEBUG the
    /// DOTNET_gcServer setting; a config reload does not exist here, so the last one is the start.
    /// </summary>
    private static void WriteRuntimeInfo(Utf8JsonWriter w, ProcessStatus status)
    {
        int threads;
        using (var self = System.Diagnostics.Process.GetCurrentProcess())
        {
            threads = self.Threads.Count;
        }

        w.WriteStartObject();
        w.WriteString("startTime", status.StartTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
        w.WriteString("CWD", Environment.CurrentDirectory);
        w.WriteBoolean("reloadConfigSuccess", true);
        w.WriteString("lastConfigTime", status.StartTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteNumber("corruptionCount", 0);
        w.WriteNumber("goroutineCount", threads);
        w.WriteNumber("GOMAXPROCS", Environment.ProcessorCount);
        w.WriteString("GOGC", System.Runtime.GCSettings.IsServerGC ? "server" : "workstation");
        w.WriteString("GODEBUG", Environment.GetEnvironmentVariable("DOTNET_gcServer") is { } gc ? "DOTNET_gcServer=" + gc : string.Empty);
        w.WriteString("storageRetention", status.StorageRetention);
        w.WriteEndObject();
    }
}
