using System.Globalization;
using System.Text.Json;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Queries and polling shared by the agent end-to-end tests.</summary>
public static class AgentHelpers
{
    /// <summary>A generous deadline for a loaded 2-core machine; tests poll, so a fast machine never waits this long.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Writes <paramref name="yaml"/> to a new temp file.</summary>
    public static string WriteConfig(string yaml)
    {
        string path = Path.Combine(Repo.TempDir("agentcfg"), "agent.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>Instant query result as (metric labels, value) pairs.</summary>
    public static async Task<List<(Dictionary<string, string> Metric, string Value)>> QueryAsync(HttpClient http, Uri baseUri, string promql, string? tenant, string prefix = "/prometheus")
    {
        var (status, json, raw) = await QueryApi.GetAsync(http, baseUri, prefix + "/api/v1/query?query=" + Uri.EscapeDataString(promql), tenant);
        if (status != 200 || json is null)
        {
            throw new InvalidOperationException($"query {promql} answered {status}: {raw}");
        }

        return [.. json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(r => (
            r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            r.GetProperty("value")[1].GetString()!))];
    }

    /// <summary>The raw samples of one series over a range selector (a matrix from an instant query), in time order.</summary>
    public static async Task<List<(double T, double V)>> RawSamplesAsync(HttpClient http, Uri baseUri, string selectorWithRange, string tenant)
    {
        var (status, json, raw) = await QueryApi.GetAsync(http, baseUri, "/prometheus/api/v1/query?query=" + Uri.EscapeDataString(selectorWithRange), tenant);
        if (status != 200 || json is null)
        {
            throw new InvalidOperationException($"query {selectorWithRange} answered {status}: {raw}");
        }

        var result = json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().ToList();
        if (result.Count == 0)
        {
            return [];
        }

        if (result.Count > 1)
        {
            throw new InvalidOperationException($"{selectorWithRange} matched {result.Count} series: {raw}");
        }

        return [.. result[0].GetProperty("values").EnumerateArray().Select(v => (v[0].GetDouble(), double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture)))];
    }

    /// <summary>Polls <paramref name="probe"/> until it returns true; fails with <paramref name="what"/> and the last state after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> probe, string what, TimeSpan? timeout = null, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe())
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"timed out waiting for {what}\n{state?.Invoke()}");
    }

    /// <summary>GET /api/v1/targets (optionally with a state) as JSON.</summary>
    public static async Task<JsonElement> TargetsAsync(HttpClient http, Uri baseUri, string path = "/api/v1/targets")
    {
        var (status, json, raw) = await QueryApi.GetAsync(http, baseUri, path, tenant: null);
        if (status != 200 || json is null)
        {
            throw new InvalidOperationException($"{path} answered {status}: {raw}");
        }

        return json.RootElement.Clone();
    }
}
