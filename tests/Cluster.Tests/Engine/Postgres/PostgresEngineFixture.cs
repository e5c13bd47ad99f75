using System.Diagnostics;
using MetricsCluster.Cluster.Engine.Postgres;
using MetricsCluster.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Engine.Postgres;

/// <summary>One real PostgreSQL server per test class (xunit class fixture); tests isolate themselves by cluster id or database.</summary>
public sealed class PostgresEngineFixture : IAsyncLifetime
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

    /// <summary>A membership table of a cluster id of its own, initialised as a silo would (the caller disposes the database).</summary>
    internal static async Task<(PostgresMembershipTable Table, PostgresEngineDatabase Db)> MembershipTableAsync(string connectionString, string clusterId)
    {
        var db = new PostgresEngineDatabase(connectionString);
        var table = new PostgresMembershipTable(db, clusterId, NullLogger<PostgresMembershipTable>.Instance);
        await table.InitializeMembershipTable(tryInitTableVersion: true);
        return (table, db);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="patience"/> passes (then fails with <paramref name="what"/>).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan patience, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > patience)
            {
                Assert.Fail($"not within {patience}: {what()}");
            }

            await Task.Delay(100);
        }
    }
}
