using MetricsCluster.Tests.Shared;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Which real server holds a <see cref="LocalCluster"/>'s Orleans membership and ring descriptors.</summary>
public enum RingStoreKind
{
    /// <summary><c>--ring.store=postgres</c> on a PostgreSQL child process.</summary>
    Postgres,

    /// <summary><c>--ring.store=azure</c> on an Azurite child process (Azure Table membership, Blob grain state).</summary>
    Azure,
}

/// <summary>The ring store's server as a cluster test drives it: its flags, and an outage (stop, restart).</summary>
public sealed class RingStoreServer : IAsyncDisposable
{
    private readonly PostgresServer? _postgres;
    private readonly AzuriteServer? _azurite;

    private RingStoreServer(PostgresServer? postgres, AzuriteServer? azurite)
    {
        _postgres = postgres;
        _azurite = azurite;
    }

    /// <summary>The flags every process of the cluster gets.</summary>
    public string[] Flags => _postgres is not null
        ? ["--ring.store=postgres", $"--ring.postgres.connection-string={_postgres.ConnectionString}"]
        : ["--ring.store=azure", $"--ring.azure.connection-string={_azurite!.ConnectionString}"];

    /// <summary>Starts the server for <paramref name="kind"/>.</summary>
    public static async Task<RingStoreServer> StartAsync(RingStoreKind kind) => kind switch
    {
        RingStoreKind.Postgres => new RingStoreServer(await PostgresServer.StartAsync(), null),
        _ => new RingStoreServer(null, await AzuriteServer.StartAsync()),
    };

    /// <summary>Stops the server, keeping its data (an outage).</summary>
    public Task StopAsync() => _postgres is not null ? _postgres.StopAsync() : _azurite!.StopAsync();

    /// <summary>Starts it again with its data, on the same port(s).</summary>
    public Task RestartAsync() => _postgres is not null ? _postgres.RestartAsync() : _azurite!.RestartAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
