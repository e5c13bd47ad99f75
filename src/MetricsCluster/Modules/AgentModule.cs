using MetricsCluster.Agent.Http;
using MetricsCluster.Agent.Manager;
using MetricsCluster.Config;
using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;

using AgentConfig = MetricsCluster.Agent.Config.AgentConfig;
using AgentConfigException = MetricsCluster.Agent.Config.ConfigException;

namespace MetricsCluster.Modules;

/// <summary>
/// The embedded scraping agent. It writes through this process's distributor when it has one, so it is in the last
/// stage: it starts after and stops before everything it writes to.
/// </summary>
internal sealed class AgentModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.Agent;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.Server];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Agent;

    /// <summary>
    /// Adds the agent to <c>all</c> when <c>--agent.config.file</c> is set, and checks the agent's file at start-up
    /// so a bad file is a configuration error (exit 2) rather than a failed service: <c>--target=agent</c> alone is
    /// Prometheus Agent mode and needs a remote_write entry; with an in-process distributor it is optional.
    /// </summary>
    /// <exception cref="ConfigException">The agent cannot run with this configuration.</exception>
    internal static void Expand(HashSet<string> modules, ClusterConfig config)
    {
        if (modules.Contains(ModuleRegistry.All) && config.AgentConfigFile.Length > 0)
        {
            modules.Add(ModuleRegistry.Agent);
        }

        if (!modules.Contains(ModuleRegistry.Agent))
        {
            return;
        }

        if (config.AgentConfigFile.Length == 0)
        {
            throw new ConfigException("target agent needs a scrape configuration: set agent.config.file (--agent.config.file)");
        }

        // The tenant becomes a directory name in the ingester, so it gets the same check as X-Scope-OrgID.
        if (modules.Contains(ModuleRegistry.DistributorService) && TenantId.Validate(config.AgentTenant) is { } tenantError)
        {
            throw new ConfigException($"agent.tenant (--agent.tenant): {tenantError}");
        }

        try
        {
            var agentConfig = AgentConfig.Load(config.AgentConfigFile);
            RemoteWriteSet.Validate(agentConfig, Options(config).QueueRoot, modules.Contains(ModuleRegistry.DistributorService));
        }
        catch (AgentConfigException e)
        {
            throw new ConfigException($"agent.config.file (--agent.config.file): {e.Message}");
        }
    }

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        var config = context.Config;
        bool viaDistributor = context.Has(ModuleRegistry.DistributorService);
        services.AddSingleton(sp =>
        {
            var options = Options(config);
            if (viaDistributor)
            {
                var distributor = sp.GetRequiredService<Distributor.Distributor>();
                options.DefaultTransport = () => new DistributorRemoteWriteTransport(distributor, config.AgentTenant);
                options.DefaultDestination = $"this process's distributor, tenant {config.AgentTenant} (--agent.tenant)";
            }

            return new AgentService(options, sp.GetRequiredService<MetricsRegistry>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>());
        });
        services.AddHostedService(sp => sp.GetRequiredService<AgentService>());
    }

    /// <inheritdoc/>
    public void Map(WebApplication app, ModuleContext context) =>
        app.MapAgent(app.Services.GetRequiredService<AgentService>(), app.Services.GetRequiredService<TimeProvider>());

    private static AgentOptions Options(ClusterConfig config) => new()
    {
        ConfigFile = config.AgentConfigFile,
        DataDir = config.DataDir,
    };
}
