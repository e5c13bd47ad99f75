using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Engine.Postgres;
using MetricsCluster.Cluster.Tests.Engine.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Engine;

/// <summary>
/// The engine test classes share one PostgreSQL server and run one after another: each starts several real silos,
/// which is all a loaded 2-core machine should do at once. Every test clusters in a database of its own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class EngineSiloCollection : ICollectionFixture<PostgresEngineFixture>
{
    public const string Name = "engine silos";
}

/// <summary>
/// One real silo of the MetricsCluster engine in this process, configured as production does
/// (<see cref="EngineSetup.UseMetricsClusterEngine"/>: silo name = instance id, pinned placement, ingester grains) on a
/// loopback port, clustering and persisting through <c>UsePostgresEngine</c>, with a <see cref="RecordingIngester"/>
/// as its local ingester (G18: real objects, a whole cluster in one process).
/// </summary>
internal sealed class EngineSilo : IAsyncDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(120);
    private readonly IHost _host;
    private bool _running;

    private EngineSilo(IHost host, string name, RecordingIngester ingester)
    {
        _host = host;
        Name = name;
        Ingester = ingester;
    }

    /// <summary>Gets the instance id, which is the silo name.</summary>
    public string Name { get; }

    public RecordingIngester Ingester { get; }

    /// <summary>Gets a grain factory that calls from inside this silo.</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Gets this silo's ring liveness (Orleans membership as this silo sees it).</summary>
    public MembershipLiveness Liveness => _host.Services.GetRequiredService<MembershipLiveness>();

    public IClusterMembershipService Membership => _host.Services.GetRequiredService<IClusterMembershipService>();

    public SiloAddress Address => _host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    /// <summary>Builds and starts a silo named <paramref name="name"/>; returns once Orleans reports it started.</summary>
    public static async Task<EngineSilo> StartAsync(string connectionString, string name, RecordingIngester? ingester = null, LocalCompactor? compactor = null)
    {
        ingester ??= new RecordingIngester(name);
        var options = new EngineOptions { InstanceId = name, AdvertisedAddress = IPAddress.Loopback, SiloPort = FreePort(), HostsIngester = true, HostsCompactor = compactor is not null };
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(new LocalIngester(ingester, ingester));
        builder.Services.AddSingleton(TimeProvider.System);
        if (compactor is not null)
        {
            builder.Services.AddSingleton(compactor);
        }

        builder.UseOrleans(silo => silo.UseMetricsClusterEngine(options, p => p.UsePostgresEngine(connectionString)));
        var silo = new EngineSilo(builder.Build(), name, ingester);
        try
        {
            using var timeout = new CancellationTokenSource(s_patience);
            await silo._host.StartAsync(timeout.Token);
            silo._running = true;
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the silo gracefully (it marks itself Dead in the membership table).</summary>
    public async Task StopAsync()
    {
        if (_running)
        {
            _running = false;
            using var timeout = new CancellationTokenSource(s_patience);
            await _host.StopAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _host.Dispose();
        }
    }

    /// <summary>Whether this silo sees <paramref name="other"/> as Active.</summary>
    public bool SeesActive(EngineSilo other) => Membership.CurrentSnapshot.GetSiloStatus(other.Address) == SiloStatus.Active;

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes (no fixed sleeps, G18); returns how long it took.</summary>
    public static async Task<TimeSpan> WaitUntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        TimeSpan limit = deadline ?? TimeSpan.FromSeconds(90);
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"timed out after {limit} waiting for {what}");
            }

            await Task.Delay(50);
        }

        return clock.Elapsed;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
