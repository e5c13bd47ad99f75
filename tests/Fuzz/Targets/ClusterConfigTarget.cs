using MetricsCluster.Config;
using MetricsCluster.Fuzz.Tests.Framework;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>The host's YAML config file (<c>--config.file</c>); applying it may only throw <see cref="ConfigException"/>.</summary>
public sealed class ClusterConfigTarget : IFuzzTarget
{
    // The loader takes a path; one file per process is rewritten for each input.
    private static readonly Lazy<string> s_file = new(() => Path.Combine(FuzzTempDirectory.Create("fuzz-config-"), "config.yaml"));

    /// <inheritdoc/>
    public static string Name => "cluster-config";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        File.WriteAllBytes(s_file.Value, input.ToArray());
        try
        {
            YamlConfigFile.Apply(s_file.Value, new ClusterConfig());
        }
        catch (ConfigException)
        {
        }
    }
}
