using System.Text.Encodings.Web;
using System.Text.Json;
using MetricsCluster.Ruler.Evaluation;
using MetricsCluster.Ruler.RuleFiles;
using MetricsCluster.Ruler.Scheduling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MetricsCluster.Ruler.Api;

/// <summary>
/// Prometheus' <c>GET /api/v1/rules</c> and <c>GET /api/v1/alerts</c> for a tenant, shaped exactly as Prometheus' so
/// Grafana's alerting pages read them, with Mimir's filters (<c>type</c>, <c>rule_name[]</c>, <c>rule_group[]</c>,
/// <c>file[]</c>, <c>exclude_alerts</c>). Groups come from storage; each one's state from wherever it is evaluated.
/// </summary>
public static class RulesApiEndpoints
{
    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Maps both endpoints under <paramref name="prefix"/>.</summary>
    public static IEndpointRouteBuilder MapRulesApi(
        this IEndpointRouteBuilder app,
        string prefix,
        Func<string, CancellationToken, Task<IReadOnlyList<TenantRuleGroup>>> loadTenant,
        IRuleGroupScheduler scheduler,
        RulerOptions options,
        Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(prefix + "/api/v1/rules", async ctx =>
        {
            var (tenant, error) = resolveTenant(ctx);
            if (error is not null)
            {
                await error.ExecuteAsync(ctx);
                return;
            }

            string type = ctx.Request.Query["type"].ToString().ToLowerInvariant();
            if (type is not ("" or "alert" or "record"))
            {
                await WriteErrorAsync(ctx, $"invalid parameter \"type\": not supported value \"{type}\"");
                return;
            }

            var filter = new RulesFilter(
                type,
                Set(ctx, "rule_name[]"),
                Set(ctx, "rule_group[]"),
                Set(ctx, "file[]"),
                ctx.Request.Query["exclude_alerts"] == "true");
            var groups = await StatusesAsync(tenant!, loadTenant, scheduler, options, ctx.RequestAborted);
            await WriteAsync(ctx, w => WriteRules(w, groups, filter));
        });
        app.MapGet(prefix + "/api/v1/alerts", async ctx =>
        {
            var (tenant, error) = resolveTenant(ctx);
            if (error is not null)
            {
                await error.ExecuteAsync(ctx);
                return;
            }

            var groups = await StatusesAsync(tenant!, loadTenant, scheduler, options, ctx.RequestAborted);
            await WriteAsync(ctx, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("alerts");
                foreach (var alert in groups.SelectMany(g => g.Rules).Where(r => r.Type == "alerting").SelectMany(r => r.Alerts))
                {
                    WriteAlert(w, alert);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        });
        return app;
    }

    private static HashSet<string> Set(HttpContext ctx, string name) =>
        ctx.Request.Query[name].Where(v => v is not null).Select(v => v!).ToHashSet(StringComparer.Ordinal);

    // Sorted by namespace, then name, as Prometheus' and Mimir's managers list groups.
    private static async Task<List<GroupStatus>> StatusesAsync(
        string tenant,
        Func<string, CancellationToken, Task<IReadOnlyList<TenantRuleGroup>>> loadTenant,
        IRuleGroupScheduler scheduler,
        RulerOptions options,
        CancellationToken cancellationToken)
    {
        var defs = (await loadTenant(tenant, cancellationToken))
            .OrderBy(g => g.Namespace, StringComparer.Ordinal).ThenBy(g => g.Group.Name, StringComparer.Ordinal).ToArray();
        var statuses = await Task.WhenAll(defs.Select(d => scheduler.StatusAsync(RuleDefinitions.Key(d), cancellationToken)));
        var result = new List<GroupStatus>(defs.Length);
        for (int i = 0; i < defs.Length; i++)
        {
            result.Add(statuses[i] ?? GroupRuntime.NotEvaluated(defs[i], options));
        }

        return result;
    }

    private static void WriteRules(Utf8JsonWriter w, List<GroupStatus> groups, RulesFilter f)
    {
        w.WriteStartObject();
        w.WriteStartArray("groups");
        foreach (var g in groups)
        {
            if ((f.Files.Count > 0 && !f.Files.Contains(g.File)) || (f.Groups.Count > 0 && !f.Groups.Contains(g.Name)))
            {
                continue;
            }

            var rules = g.Rules.Where(r =>
                (f.Type == string.Empty || (f.Type == "alert") == (r.Type == "alerting"))
                && (f.Names.Count == 0 || f.Names.Contains(r.Name))).ToArray();
            if (rules.Length == 0 && (f.Names.Count > 0 || f.Type.Length > 0))
            {
                continue;
            }

            w.WriteStartObject();
            w.WriteString("name", g.Name);
            w.WriteString("file", g.File);
            w.WriteStartArray("rules");
            foreach (var r in rules)
            {
                WriteRule(w, r, f.ExcludeAlerts);
            }

            w.WriteEndArray();
            w.WriteNumber("interval", g.IntervalSeconds);
            w.WriteNumber("limit", g.Limit);
            w.WriteNumber("evaluationTime", g.EvaluationTimeSeconds);
            w.WriteString("lastEvaluation", GoTime.Format(g.LastEvaluation));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRule(Utf8JsonWriter w, RuleStatus r, bool excludeAlerts)
    {
        w.WriteStartObject();
        if (r.Type == "alerting")
        {
            w.WriteString("state", r.State);
            w.WriteString("name", r.Name);
            w.WriteString("query", r.Query);
            w.WriteNumber("duration", r.DurationSeconds);
            w.WriteNumber("keepFiringFor", r.KeepFiringForSeconds);
            WritePairs(w, "labels", r.Labels);
            WritePairs(w, "annotations", r.Annotations);
            w.WriteStartArray("alerts");
            if (!excludeAlerts)
            {
                foreach (var a in r.Alerts)
                {
                    WriteAlert(w, a);
                }
            }

            w.WriteEndArray();
        }
        else
        {
            w.WriteString("name", r.Name);
            w.WriteString("query", r.Query);
            if (r.Labels.Count > 0)
            {
                WritePairs(w, "labels", r.Labels);
            }
        }

        w.WriteString("health", r.Health);
        if (!string.IsNullOrEmpty(r.LastError))
        {
            w.WriteString("lastError", r.LastError);
        }

        w.WriteNumber("evaluationTime", r.EvaluationTimeSeconds);
        w.WriteString("lastEvaluation", GoTime.Format(r.LastEvaluation));
        w.WriteString("type", r.Type);
        w.WriteEndObject();
    }

    private static void WriteAlert(Utf8JsonWriter w, AlertStatus a)
    {
        w.WriteStartObject();
        WritePairs(w, "labels", a.Labels);
        WritePairs(w, "annotations", a.Annotations);
        w.WriteString("state", a.State);
        w.WriteString("activeAt", GoTime.FormatMs(a.ActiveAtMs));
        if (a.KeepFiringSinceMs != 0)
        {
            w.WriteString("keepFiringSince", GoTime.FormatMs(a.KeepFiringSinceMs));
        }

        w.WriteString("value", a.Value);
        w.WriteEndObject();
    }

    private static void WritePairs(Utf8JsonWriter w, string name, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in pairs)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
    }

    private static async Task WriteAsync(HttpContext ctx, Action<Utf8JsonWriter> data)
    {
        ctx.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, s_json))
        {
            w.WriteStartObject();
            w.WriteString("status", "success");
            w.WritePropertyName("data");
            data(w);
            w.WriteEndObject();
        }

        await ctx.Response.Body.WriteAsync(buffer.ToArray(), ctx.RequestAborted);
    }

    private static async Task WriteErrorAsync(HttpContext ctx, string message)
    {
        ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
        ctx.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, s_json))
        {
            w.WriteStartObject();
            w.WriteString("status", "error");
            w.WriteString("errorType", "bad_data");
            w.WriteString("error", message);
            w.WriteEndObject();
        }

        await ctx.Response.Body.WriteAsync(buffer.ToArray(), ctx.RequestAborted);
    }

    private sealed record RulesFilter(string Type, HashSet<string> Names, HashSet<string> Groups, HashSet<string> Files, bool ExcludeAlerts);
}
