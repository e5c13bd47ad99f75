using System.Text.Json;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Calls our Prometheus-compatible metadata API.</summary>
public static class QueryApi
{
    /// <summary>GET a path with an optional tenant; returns status and parsed JSON (or null).</summary>
    public static async Task<(int Status, JsonDocument? Json, string Raw)> GetAsync(HttpClient http, Uri baseUri, string pathAndQuery, string? tenant)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, pathAndQuery));
        if (tenant is not null)
        {
            req.Headers.Add("X-Scope-OrgID", tenant);
        }

        using var resp = await http.SendAsync(req);
        string raw = await resp.Content.ReadAsStringAsync();
        JsonDocument? doc = null;
        if (resp.Content.Headers.ContentType?.MediaType == "application/json")
        {
            doc = JsonDocument.Parse(raw);
        }

        return ((int)resp.StatusCode, doc, raw);
    }

    /// <summary>The label sets returned by /prometheus/api/v1/series for one selector.</summary>
    public static async Task<List<Dictionary<string, string>>> SeriesAsync(HttpClient http, Uri baseUri, string selector, string? tenant)
    {
        var (status, json, raw) = await GetAsync(http, baseUri, "/prometheus/api/v1/series?match[]=" + Uri.EscapeDataString(selector), tenant);
        if (status != 200 || json is null)
        {
            throw new InvalidOperationException($"series API answered {status}: {raw}");
        }

        return json.RootElement.GetProperty("data").EnumerateArray()
            .Select(o => o.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!))
            .ToList();
    }
}
