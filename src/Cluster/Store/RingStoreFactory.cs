using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Store;

/// <summary>Builds the membership store <c>--ring.store</c> names; one per process, shared by every ring in it.</summary>
public static class RingStoreFactory
{
    /// <summary>Validates <paramref name="options"/> and creates the store.</summary>
    public static IRingStore Create(RingStoreOptions options, ILoggerFactory loggerFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        options.Validate();
        return options.Store switch
        {
            RingStoreOptions.Postgres => new PostgresRingStore(options, loggerFactory.CreateLogger<PostgresRingStore>(), time),

            // Validate() admits only the two names, so anything else is memory.
            _ => new MemoryRingStore(options.PollInterval, time),
        };
    }
}
