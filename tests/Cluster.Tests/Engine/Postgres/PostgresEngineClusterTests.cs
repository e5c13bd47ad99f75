using System.Net;
using System.Net.Sockets;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Engine.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.Cluster.Tests.Engine.Postgres;

/// <summary>A test grain whose one number lives in the engine's grain storage.</summary>
public interface IPgCounterGrain : IGrainWithStringKey
{
    Task<int> AddAsync(int delta);

    Task<int> GetAsync();
}

/// <summary>Keeps <see cref="PgTestState.Value"/> in <see cref="EngineStorage.Name"/>, written on every add.</summary>
public sealed class PgCounterGrain([PersistentState("x", EngineStorage.Name)] IPersistentState<PgTestState> state) : Grain, IPgCounterGrain
{
    public async Task<int> AddAsync(int delta)
    {
        state.State.Value += delta;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<int> GetAsync() => Task.FromResult(state.State.Value);
}

/// <summary>Real Orleans silos on loopback ports in this process, clustered and persisting through <c>UsePostgresEngine</c>.</summary>
public sealed class PostgresEngineClusterTests : IClassFixture<PostgresEngineFixture>
{
    // Generous for a loaded 2-core machine: silo start and a membership round trip take seconds, not minutes.
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(90);

    private readonly PostgresEngineFixture _pg;
    private readonly ITestOutputHelper _output;

    public PostgresEngineClusterTests(PostgresEngineFixture pg, ITestOutputHelper output)
    {
        _pg = pg;
        _output = output;
    }

    [Fact]
    public async Task Two_silos_form_a_cluster_and_the_survivor_sees_a_stopped_silo_dead()
    {
        string db = await _pg.Server.CreateDatabaseAsync();
        IHost first = await StartSiloAsync(db, "silo-a");
        IHost? second = null;
        try
        {
            second = await StartSiloAsync(db, "silo-b");
            SiloAddress a = Address(first);
            SiloAddress b = Address(second);

            await WaitForStatusAsync(first, b, SiloStatus.Active);
            await WaitForStatusAsync(second, a, SiloStatus.Active);

            // Both silos use one grain: whichever hosts it, the other reaches it through the cluster.
            Assert.Equal(3, await first.Services.GetRequiredService<IGrainFactory>().GetGrain<IPgCounterGrain>("shared").AddAsync(3));
            Assert.Equal(3, await second.Services.GetRequiredService<IGrainFactory>().GetGrain<IPgCounterGrain>("shared").GetAsync());

            await second.StopAsync();
            await WaitForStatusAsync(first, b, SiloStatus.Dead);

            // And the table itself says so: the silos really clustered through PostgreSQL.
            Assert.Equal(
                [(a.ToParsableString(), "silo-a", (int)SiloStatus.Active), (b.ToParsableString(), "silo-b", (int)SiloStatus.Dead)],
                await QueryAsync(
                    db,
                    "SELECT silo_address, silo_name, status FROM metrics_cluster_membership WHERE cluster_id = 'metrics-cluster' ORDER BY silo_name",
                    r => (r.GetString(0), r.GetString(1), r.GetInt32(2))));
        }
        finally
        {
            await StopAsync(second);
            await StopAsync(first);
        }
    }

    [Fact]
    public async Task Grain_state_survives_a_silo_restart()
    {
        string db = await _pg.Server.CreateDatabaseAsync();
        int port = FreePort();
        IHost? silo = await StartSiloAsync(db, "silo-a", port);
        try
        {
            Assert.Equal(5, await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IPgCounterGrain>("restart").AddAsync(5));
            Assert.Equal(7, await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IPgCounterGrain>("restart").AddAsync(2));
            int generation = Address(silo).Generation;
            await StopAsync(silo);
            silo = null;

            // Orleans' generations count seconds: a restart within the same second would reuse the silo address,
            // which a real restart (seconds at least) never does. Wait for the clock, not for a fixed time.
            await PostgresEngineFixture.WaitUntilAsync(
                () => SiloAddress.AllocateNewGeneration() > generation, s_patience, () => "the generation clock to move on");

            // The same silo name and endpoint, a new generation: a fresh activation reads the row back.
            silo = await StartSiloAsync(db, "silo-a", port);
            Assert.Equal(7, await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IPgCounterGrain>("restart").GetAsync());
            Assert.Equal(8, await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IPgCounterGrain>("restart").AddAsync(1));
            Assert.Equal(
                [("metrics-cluster", "x")],
                await QueryAsync(db, "SELECT service_id, state_name FROM metrics_cluster_grain_state WHERE grain_id = 'restart'", r => (r.GetString(0), r.GetString(1))));
        }
        finally
        {
            await StopAsync(silo);
        }
    }

    private async Task<IHost> StartSiloAsync(string connectionString, string name, int? port = null)
    {
        int siloPort = port ?? FreePort();
        IHost host = new HostBuilder()
            .UseOrleans(silo => silo
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = EngineStorage.ClusterId;
                    o.ServiceId = EngineStorage.ClusterId;
                })
                .Configure<SiloOptions>(o => o.SiloName = name)
                .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort: 0)
                .UsePostgresEngine(connectionString))
            .Build();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(s_patience);
        await host.StartAsync(timeout.Token);
        _output.WriteLine($"{name} on 127.0.0.1:{siloPort} started in {clock.ElapsedMilliseconds} ms as {Address(host)}");
        return host;
    }

    private async Task WaitForStatusAsync(IHost observer, SiloAddress silo, SiloStatus status)
    {
        IClusterMembershipService membership = observer.Services.GetRequiredService<IClusterMembershipService>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await PostgresEngineFixture.WaitUntilAsync(
            () => membership.CurrentSnapshot.GetSiloStatus(silo) == status,
            s_patience,
            () => $"{Address(observer)} sees {silo} as {membership.CurrentSnapshot.GetSiloStatus(silo)}, not {status}; snapshot {membership.CurrentSnapshot}");
        _output.WriteLine($"{Address(observer)} saw {silo} {status} after {clock.ElapsedMilliseconds} ms");
    }

    private static async Task<List<T>> QueryAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> row)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(row(reader));
        }

        return rows;
    }

    private static SiloAddress Address(IHost host) => host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    private static async Task StopAsync(IHost? host)
    {
        if (host is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(s_patience);
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
