using MetricsCluster.Agent.Config;

namespace MetricsCluster.Agent.Manager;

/// <summary>
/// Says in words where the agent's samples go and as which tenant, for its start-up log line and the
/// <c>/targets</c> page: without it, data written as tenant <c>anonymous</c> while a user queries as
/// <c>team-a</c> looked like nothing arrived.
/// </summary>
public static class AgentDestinations
{
    /// <summary>
    /// One line per remote_write entry (its URL and the tenant it names by <c>X-Scope-OrgID</c> or basic auth), or
    /// <paramref name="defaultDestination"/> when the file has none.
    /// </summary>
    /// <param name="config">The agent's configuration.</param>
    /// <param name="defaultDestination">The in-process destination in words, or null in Prometheus Agent mode.</param>
    /// <returns>The destinations; empty only when there is none at all.</returns>
    public static IReadOnlyList<string> Describe(AgentConfig config, string? defaultDestination)
    {
        if (config.RemoteWrite.Count == 0)
        {
            return defaultDestination is null ? [] : [defaultDestination];
        }

        return [.. config.RemoteWrite.Select(Describe)];
    }

    private static string Describe(RemoteWriteConfig rw)
    {
        // The URL without user info or query: both may carry secrets.
        string url = rw.Url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        string? header = rw.Headers.FirstOrDefault(h => string.Equals(h.Key, "X-Scope-OrgID", StringComparison.OrdinalIgnoreCase)).Value;
        string tenant = header is { Length: > 0 } ? $"tenant {header} (X-Scope-OrgID)"
            : rw.Auth.BasicAuth is { } basic ? $"tenant {basic.Username} if the receiver takes it from basic auth"
            : "no tenant named (a multi-tenant receiver answers 401)";
        return $"{url}, {tenant}";
    }
}
