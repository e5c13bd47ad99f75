using MetricsCluster.Agent.Relabel;

namespace MetricsCluster.Agent.Config;

/// <summary>One <c>remote_write</c> entry (Prometheus' config.RemoteWriteConfig).</summary>
public sealed record RemoteWriteConfig
{
    // Prometheus' reservedHeaders: the client sets these itself. X-Scope-OrgID is allowed (it selects the tenant).
    private static readonly HashSet<string> s_reservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Host", "Content-Encoding", "Content-Length", "Content-Type", "User-Agent", "Connection",
        "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Www-Authenticate", "Accept-Encoding",
        "X-Prometheus-Remote-Write-Version", "X-Prometheus-Remote-Read-Version",
    };

    /// <summary>The receiver's URL.</summary>
    public required Uri Url { get; init; }

    /// <summary>A name unique among remote_write entries, or empty.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Extra HTTP headers sent with each request.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>How the agent authenticates to the receiver.</summary>
    public HttpAuth Auth { get; init; } = HttpAuth.None;

    /// <summary>Rules applied to each series before it is sent.</summary>
    public IReadOnlyList<RelabelConfig> WriteRelabelConfigs { get; init; } = [];

    /// <summary>The timeout of one request.</summary>
    public TimeSpan RemoteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The queue settings.</summary>
    public QueueConfig QueueConfig { get; init; } = new();

    internal static RemoteWriteConfig Read(YamlMap m, string? baseDir)
    {
        string url = m.Str("url") ?? string.Empty;
        if (url.Length == 0)
        {
            m.Fail("url", "url for remote_write is empty");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            m.Fail("url", $"\"{url}\" is not an absolute http or https URL");
        }

        var headers = m.StrMap("headers") ?? [];
        foreach (var (name, _) in headers)
        {
            if (s_reservedHeaders.Contains(name))
            {
                m.Fail("headers", $"{name} is a reserved header. It must not be changed");
            }
        }

        var cfg = new RemoteWriteConfig
        {
            Url = uri,
            Name = m.Str("name") ?? string.Empty,
            Headers = headers,
            Auth = HttpAuth.Read(m, baseDir),
            WriteRelabelConfigs = RelabelConfigReader.ReadList(m, "write_relabel_configs"),
            RemoteTimeout = m.Duration("remote_timeout") ?? TimeSpan.FromSeconds(30),
            QueueConfig = QueueConfig.Read(m.Map("queue_config")),
        };
        m.Done();
        return cfg;
    }
}
