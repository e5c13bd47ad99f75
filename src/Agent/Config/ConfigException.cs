namespace MetricsCluster.Agent.Config;

/// <summary>An invalid agent configuration; the message names the file, the line, the job and the field where known (G17).</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public ConfigException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
