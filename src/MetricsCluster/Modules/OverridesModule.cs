using MetricsCluster.Core.Limits;

namespace MetricsCluster.Modules;

/// <summary>Per-tenant limits: the one <see cref="IOverrides"/> service (G5).</summary>
internal sealed class OverridesModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.Overrides;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Runtime;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context) =>
        services.AddSingleton<IOverrides>(new StaticOverrides(context.Config.Limits));
}
