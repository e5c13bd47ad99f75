using System.Text;
using System.Text.Json;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Calls the ruler's config API (Mimir's) and rules/alerts APIs (Prometheus').</summary>
public static class RulerApi
{
    /// <summary>POSTs one group's YAML into <paramref name="ns"/> (percent-encoded in the path); returns status and body.</summary>
    public static async Task<(int Status, string Body)> PostGroupAsync(HttpClient http, Uri baseUri, string tenant, string ns, string groupYaml)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "/prometheus/config/v1/rules/" + Uri.EscapeDataString(ns)))
        {
            Content = new StringContent(groupYaml, Encoding.UTF8, "application/yaml"),
        };
        req.Headers.Add("X-Scope-OrgID", tenant);
        using var resp = await http.SendAsync(req);
        return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync());
    }

    /// <summary>The tenant's active alerts (<c>/prometheus/api/v1/alerts</c>).</summary>
    public static async Task<JsonElement[]> AlertsAsync(HttpClient http, Uri baseUri, string tenant)
    {
        var (status, json, raw) = await QueryApi.GetAsync(http, baseUri, "/prometheus/api/v1/alerts", tenant);
        if (status != 200 || json is null)
        {
            throw new InvalidOperationException($"alerts API answered {status}: {raw}");
        }

        using (json)
        {
            return json.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray().Select(a => a.Clone()).ToArray();
        }
    }

    /// <summary>The tenant's rule groups (<c>/prometheus/api/v1/rules</c>).</summary>
    public static async Task<JsonElement[]> GroupsAsync(HttpClient http, Uri baseUri, string tenant)
    {
        var (status, json, raw) = await QueryApi.GetAsync(http, baseUri, "/prometheus/api/v1/rules", tenant);
        if (status != 200 || json is null)
        {
            throw new InvalidOperationException($"rules API answered {status}: {raw}");
        }

        using (json)
        {
            return json.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray().Select(a => a.Clone()).ToArray();
        }
    }

    /// <summary>A label of an alert (or null).</summary>
    public static string? Label(JsonElement alert, string name) =>
        alert.GetProperty("labels").TryGetProperty(name, out var v) ? v.GetString() : null;
}
