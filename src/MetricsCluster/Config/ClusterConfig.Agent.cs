namespace MetricsCluster.Config;

/// <summary>The embedded scraping agent's settings.</summary>
public sealed partial class ClusterConfig
{
    /// <summary>The agent's Prometheus-format scrape config; set = run the agent in <c>all</c> (<c>--agent.config.file</c>).</summary>
    public string AgentConfigFile { get; set; } = string.Empty;

    /// <summary>The tenant the agent writes as through the in-process distributor (<c>--agent.tenant</c>).</summary>
    public string AgentTenant { get; set; } = "anonymous";

    /// <summary>The agent's flags, in help order.</summary>
    internal static readonly ConfigOption[] AgentFlags =
    [
        ConfigOption.Str("agent.config.file", "Prometheus-format file (global, scrape_configs, remote_write) for the embedded scraping agent; with --target=all, setting it runs the agent; --target=agent runs only the agent.", c => c.AgentConfigFile, (c, v) => c.AgentConfigFile = v),
        ConfigOption.Str("agent.tenant", "Tenant the agent writes as when it sends to the in-process distributor (target all without remote_write).", c => c.AgentTenant, (c, v) => c.AgentTenant = v),
    ];
}
