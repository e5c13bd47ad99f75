namespace MetricsCluster.EndToEnd.Tests.Infra.PromQLComparison;

/// <summary>A system answering PromQL: where to push, where to query, and which tenant header to send.</summary>
/// <param name="Name">For reports.</param>
/// <param name="BaseUri">http://127.0.0.1:port.</param>
/// <param name="PushPath">Remote-write path (/api/v1/write on Prometheus, /api/v1/push on ours).</param>
/// <param name="ApiPrefix">Query API prefix (/api/v1 on Prometheus, /prometheus/api/v1 on ours).</param>
/// <param name="Tenant">X-Scope-OrgID, or null to send none (Prometheus 2.42 must not get one).</param>
public sealed record QueryTarget(string Name, Uri BaseUri, string PushPath, string ApiPrefix, string? Tenant)
{
    /// <summary>A real Prometheus with the remote-write receiver.</summary>
    public static QueryTarget Prometheus(string name, Uri baseUri) => new(name, baseUri, "/api/v1/write", "/api/v1", null);

    /// <summary>metrics-cluster.</summary>
    public static QueryTarget MetricsCluster(Uri baseUri, string tenant) => new("metrics-cluster", baseUri, "/api/v1/push", "/prometheus/api/v1", tenant);

    /// <summary>Writes every body; throws with the answer if one is refused.</summary>
    public async Task PushAllAsync(HttpClient http, IEnumerable<byte[]> bodies)
    {
        foreach (byte[] body in bodies)
        {
            var (status, text) = await RemoteWrite.PostAsync(http, BaseUri, body, Tenant, path: PushPath);
            if (status is < 200 or > 299)
            {
                throw new InvalidOperationException($"{Name} refused a remote-write request: {status} {text}");
            }
        }
    }

    /// <summary>An instant query at <paramref name="time"/> (unix seconds).</summary>
    public Task<QueryAnswer> InstantAsync(HttpClient http, string query, long time) =>
        GetAsync(http, $"{ApiPrefix}/query?query={Uri.EscapeDataString(query)}&time={time}");

    /// <summary>A range query.</summary>
    public Task<QueryAnswer> RangeAsync(HttpClient http, string query, long start, long end, int step) =>
        GetAsync(http, $"{ApiPrefix}/query_range?query={Uri.EscapeDataString(query)}&start={start}&end={end}&step={step}");

    private async Task<QueryAnswer> GetAsync(HttpClient http, string pathAndQuery)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, pathAndQuery));
        if (Tenant is not null)
        {
            req.Headers.Add("X-Scope-OrgID", Tenant);
        }

        try
        {
            using var resp = await http.SendAsync(req);
            return QueryAnswer.Parse((int)resp.StatusCode, await resp.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException e)
        {
            return new QueryAnswer(0, "transport-error", null, null, [], e.Message);
        }
        catch (TaskCanceledException e)
        {
            return new QueryAnswer(0, "timeout", null, null, [], e.Message);
        }
    }
}
