using MetricsCluster.Config;

namespace MetricsCluster.Modules;

/// <summary>What a module sees while it registers its services and maps its routes.</summary>
/// <param name="Config">The effective configuration.</param>
/// <param name="Modules">Every resolved module.</param>
/// <param name="Host">The application builder (the engine module adds the silo to it); null while mapping.</param>
internal sealed record ModuleContext(ClusterConfig Config, IReadOnlySet<string> Modules, IHostApplicationBuilder? Host)
{
    /// <summary>The deployment mode, decided once from the config.</summary>
    public DeploymentMode Mode => Config.Mode;

    /// <summary>Whether this process runs a cluster (is a silo).</summary>
    public bool IsCluster => Config.Mode == DeploymentMode.Cluster;

    /// <summary>Whether the module runs in this process.</summary>
    public bool Has(string module) => Modules.Contains(module);

    /// <summary>
    /// Whether calls to <paramref name="module"/> (ingester-service or store-gateway) are made in process, exactly as
    /// before cluster mode (G3): in a single process that runs it.
    /// </summary>
    public bool InProcess(string module) => Mode == DeploymentMode.SingleProcess && Has(module);
}
