using MetricsCluster.Agent.RemoteWrite;

namespace MetricsCluster.Agent.Manager;

/// <summary>How the host runs the agent (G5): its flags and the in-process destination.</summary>
public sealed class AgentOptions
{
    /// <summary>The Prometheus-format configuration file (<c>--agent.config.file</c>).</summary>
    public string ConfigFile { get; set; } = string.Empty;

    /// <summary>The root data directory (<c>--data.dir</c>); queues live under <c>&lt;dir&gt;/agent/queue/</c>.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>
    /// The destination when the file has no remote_write (with <c>--target=all</c>: the in-process distributor);
    /// null is Prometheus Agent mode, where remote_write is required.
    /// </summary>
    public Func<IRemoteWriteTransport>? DefaultTransport { get; set; }

    /// <summary><see cref="DefaultTransport"/> in words, naming its tenant (for the log and the targets page).</summary>
    public string? DefaultDestination { get; set; }

    /// <summary>The parent directory of every queue.</summary>
    public string QueueRoot => Path.Combine(DataDir, "agent", "queue");

    /// <summary>Throws <see cref="ArgumentException"/> naming the flag.</summary>
    public void Validate()
    {
        if (ConfigFile.Length == 0)
        {
            throw new ArgumentException("agent.config.file (--agent.config.file) must be set to run the agent");
        }
    }
}
