using System.Text;
using MetricsCluster.Agent.Config;
using MetricsCluster.Fuzz.Tests.Framework;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>The agent's YAML config reader (scrape, relabel, remote write); it may only throw <see cref="ConfigException"/>.</summary>
public sealed class AgentConfigTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public static string Name => "agent-config";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        try
        {
            // No base directory: file_sd and credential paths stay as written and are never opened here.
            AgentConfig.Parse(Encoding.UTF8.GetString(input));
        }
        catch (ConfigException)
        {
        }
    }
}
