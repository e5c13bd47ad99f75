using MetricsCluster.Cluster.Ring;
using MetricsCluster.Compactor;
using MetricsCluster.Config;
using MetricsCluster.Storage.Shipping;
using MetricsCluster.StoreGateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace MetricsCluster.Host.Tests;

/// <summary>The hosted services of a built host start in the module graph's order (and stop in reverse).</summary>
public sealed class HostStartOrderTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"mc-host-order-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Rings_start_before_the_ingester_which_starts_before_its_shipper_and_the_other_components()
    {
        var config = new ClusterConfig { DataDir = _dataDir, HttpListenAddress = "127.0.0.1", HttpListenPort = 0, RingInstanceId = "solo" };
        config.Validate();

        // This test project's namespace MetricsCluster.Host shadows the host class of the same name: reach it by reflection.
        var build = typeof(ModuleRegistry).Assembly.GetType("MetricsCluster.Host", throwOnError: true)!.GetMethod("Build")!;
        var app = (WebApplication)build.Invoke(null, [config, ModuleRegistry.Resolve(config.Target)])!;
        try
        {
            var hosted = app.Services.GetServices<IHostedService>().ToList();
            int IndexOf<T>() => hosted.FindIndex(s => s is T);
            int lastRing = hosted.FindLastIndex(s => s is RingClient);
            Assert.Equal(3, hosted.Count(s => s is RingClient));
            Assert.InRange(lastRing, 0, IndexOf<Ingester.Ingester>() - 2); // The join step sits between them.
            Assert.True(IndexOf<Ingester.Ingester>() < IndexOf<ShipperService>());
            Assert.True(IndexOf<ShipperService>() + 1 < IndexOf<CompactorService>()); // The activation step sits between them.
            Assert.True(IndexOf<ShipperService>() + 1 < IndexOf<StoreGatewayService>());
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
