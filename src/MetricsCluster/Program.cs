using System.CommandLine;
using MetricsCluster.Config;

namespace MetricsCluster;

/// <summary>Entry point of the metrics-cluster binary.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the selected modules until SIGTERM/SIGINT.</summary>
    public static Task<int> Main(string[] args)
    {
        var root = Config.CommandLine.Build(Host.RunAsync);

        // The generic host handles SIGTERM/SIGINT itself and shuts down gracefully; System.CommandLine's own
        // handler would cancel and force an exit after a short timeout, cutting in-flight pushes.
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
