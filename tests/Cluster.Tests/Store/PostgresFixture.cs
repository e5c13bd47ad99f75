using MetricsCluster.Cluster.Store;
using MetricsCluster.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Store;

/// <summary>One real PostgreSQL server per test class (xunit class fixture); tests isolate themselves by table.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("fixture not initialised");

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Postgres-store options on a table of its own (unique name), so tests in one database never meet.</summary>
    public RingStoreOptions Options(string? table = null, string? connectionString = null) => new()
    {
        Store = RingStoreOptions.Postgres,
        PostgresConnectionString = connectionString ?? Server.ConnectionString,
        PostgresTable = table ?? "t_" + Guid.NewGuid().ToString("N"),
        OperationTimeout = TimeSpan.FromSeconds(5),
        PollInterval = TimeSpan.FromSeconds(1),
    };

    public static PostgresRingStore Store(RingStoreOptions options) =>
        new(options, NullLogger<PostgresRingStore>.Instance, TimeProvider.System);
}
