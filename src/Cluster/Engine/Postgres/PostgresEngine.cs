using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;

namespace MetricsCluster.Cluster.Engine.Postgres;

/// <summary>Silo wiring of <c>--ring.store=postgres</c>.</summary>
public static class PostgresEngine
{
    /// <summary>
    /// Uses PostgreSQL for Orleans clustering (<see cref="PostgresMembershipTable"/>, keyed by
    /// <see cref="ClusterOptions.ClusterId"/>) and for the grain storage named <see cref="EngineStorage.Name"/>
    /// (<see cref="PostgresGrainStorage"/>, keyed by <see cref="ClusterOptions.ServiceId"/>), both on one pooled
    /// data source. The tables are created when the silo first initialises its membership table.
    /// </summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="connectionString">An Npgsql connection string (<c>--ring.postgres.connection-string</c>).</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// Registered as Orleans' own providers register: a singleton <see cref="IMembershipTable"/> (as
    /// <c>UseAzureStorageClustering</c> does) and a keyed <c>IGrainStorage</c> through <c>AddGrainStorage</c> (as
    /// <c>AddAzureBlobGrainStorage</c> does). Cluster and service ids are the host's to set (<see cref="EngineStorage.ClusterId"/>).
    /// </remarks>
    public static ISiloBuilder UsePostgresEngine(this ISiloBuilder silo, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        // Parse now so a malformed connection string fails at start-up (G5), not on the first membership call.
        _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return silo.ConfigureServices(services =>
        {
            // A factory registration, so the container owns (and disposes) the data source.
            services.AddSingleton(_ => new PostgresEngineDatabase(connectionString));
            services.AddSingleton<IMembershipTable>(sp => new PostgresMembershipTable(
                sp.GetRequiredService<PostgresEngineDatabase>(),
                sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId,
                sp.GetRequiredService<ILogger<PostgresMembershipTable>>()));
            services.AddGrainStorage(EngineStorage.Name, static (sp, _) => new PostgresGrainStorage(
                sp.GetRequiredService<PostgresEngineDatabase>(),
                sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
                sp.GetRequiredService<Serializer>(),
                sp.GetRequiredService<IActivatorProvider>(),
                sp.GetRequiredService<ILogger<PostgresGrainStorage>>()));
        });
    }
}
