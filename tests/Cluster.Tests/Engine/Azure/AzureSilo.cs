using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Engine.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace MetricsCluster.Cluster.Tests.Engine.Azure;

/// <summary>
/// One real Orleans silo in this test process, on loopback ports, whose providers are <see cref="AzureEngine.UseAzureEngine"/>
/// (G18: real objects, a whole cluster in one process). Several of them with one cluster id form a cluster.
/// </summary>
internal sealed class AzureSilo : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _running;

    private AzureSilo(IHost host, string name)
    {
        _host = host;
        Name = name;
    }

    /// <summary>Gets the silo name (the ring instance id in production).</summary>
    public string Name { get; }

    /// <summary>Gets this silo's view of the cluster.</summary>
    public IClusterMembershipService Membership => _host.Services.GetRequiredService<IClusterMembershipService>();

    /// <summary>Gets this silo's address in the membership table.</summary>
    public SiloAddress Address => _host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    /// <summary>Gets a grain factory that calls from inside this silo.</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Gets the silo's service provider (to reach the named grain storage directly).</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Builds and starts a silo; returns once Orleans reports it started (it is then Active in the table).</summary>
    public static async Task<AzureSilo> StartAsync(string connectionString, string clusterId, string name)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            });
            silo.Configure<SiloOptions>(o => o.SiloName = name);
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort());
            silo.UseAzureEngine(connectionString);
        });
        IHost host = builder.Build();
        var silo = new AzureSilo(host, name);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await host.StartAsync(timeout.Token);
            silo._running = true;
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Counts the members this silo sees as Active.</summary>
    public int ActiveCount() => Membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);

    /// <summary>Whether this silo sees <paramref name="other"/> as dead or no longer lists it.</summary>
    public bool SeesDeadOrGone(SiloAddress other) =>
        !Membership.CurrentSnapshot.Members.TryGetValue(other, out ClusterMember? m) || m.Status == SiloStatus.Dead;

    /// <summary>Stops the silo gracefully (it marks itself Dead in the membership table).</summary>
    public async Task StopAsync()
    {
        if (_running)
        {
            _running = false;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
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

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes (no fixed sleeps, G18).</summary>
    public static async Task<TimeSpan> WaitUntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        TimeSpan limit = deadline ?? TimeSpan.FromSeconds(60);
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
