namespace MetricsCluster;

/// <summary>Entry point of the metrics-cluster binary.</summary>
public static class Program
{
    /// <summary>Runs the CLI.</summary>
    public static int Main() => 0;
}
