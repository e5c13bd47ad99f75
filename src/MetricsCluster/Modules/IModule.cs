namespace MetricsCluster.Modules;

/// <summary>
/// One node of the host's module graph (G2, Mimir's <c>modules.go</c>): its name, what it needs, its start stage, and
/// how it registers its services (hosted services start in the graph's order) and maps its routes.
/// </summary>
internal interface IModule
{
    /// <summary>The module's name (a <c>--target</c> value when user-visible).</summary>
    string Name { get; }

    /// <summary>The modules that must run, and start, before this one.</summary>
    IReadOnlyList<string> Dependencies { get; }

    /// <summary>The start stage; never lower than a dependency's.</summary>
    ModuleStage Stage { get; }

    /// <summary>Registers the module's services; hosted services start in registration order and stop in reverse.</summary>
    void Register(IServiceCollection services, ModuleContext context)
    {
    }

    /// <summary>Maps the module's HTTP routes.</summary>
    void Map(WebApplication app, ModuleContext context)
    {
    }
}

/// <summary>A module with nothing of its own: an aggregate target such as <c>all</c>, or a user-visible name over an internal service.</summary>
/// <param name="Name">The module's name.</param>
/// <param name="Dependencies">The modules it stands for.</param>
/// <param name="Stage">Its stage.</param>
internal sealed record AggregateModule(string Name, IReadOnlyList<string> Dependencies, ModuleStage Stage = ModuleStage.Services) : IModule;
