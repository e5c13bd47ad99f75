using MetricsCluster.Cluster.Store;
using MetricsCluster.Config;

namespace MetricsCluster;

/// <summary>The process's one membership store, chosen by <c>--ring.store</c>.</summary>
internal static class RingStores
{
    /// <summary>
    /// The <c>memory</c> store (this process is the whole cluster) or the <c>postgres</c> store (a table shared by
    /// every process, created if missing).
    /// </summary>
    internal static IRingStore Create(ClusterConfig config, ILoggerFactory loggers, TimeProvider time)
    {
        var options = new RingStoreOptions { Store = config.RingStore, PostgresConnectionString = config.RingPostgresConnectionString };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(e.Message);
        }

        return options.Store == RingStoreOptions.Postgres
            ? new PostgresRingStore(options, loggers.CreateLogger<PostgresRingStore>(), time)
            : new MemoryRingStore(time: time);
    }
}
