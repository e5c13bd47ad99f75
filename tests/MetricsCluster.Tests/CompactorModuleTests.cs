using System.Diagnostics;
using MetricsCluster.Config;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Tsdb.Block;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace MetricsCluster.Host.Tests;

public sealed class CompactorModuleTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"mc-compactor-host-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Target_compactor_runs_alone_and_applies_retention_at_start()
    {
        // A shipped block from 1970 in the filesystem bucket, meta.json written last as the shipper does.
        var id = Ulid.New(0, new Random(7));
        string blockDir = Path.Combine(_dataDir, "bucket", "t1", id.ToString());
        Directory.CreateDirectory(blockDir);
        await File.WriteAllBytesAsync(Path.Combine(blockDir, "index"), [1, 2, 3]);
        await File.WriteAllBytesAsync(Path.Combine(blockDir, BlockMeta.FileName), new BlockMeta { Ulid = id, MinTime = 0, MaxTime = 7_200_000 }.ToJson());
        var config = new ClusterConfig { DataDir = _dataDir, HttpListenAddress = "127.0.0.1", HttpListenPort = 0, Target = "compactor" };
        ConfigOption.All.Single(o => o.Flag == "compactor.blocks-retention-period").Set(config, "30d");
        config.Validate();

        // This test project's namespace MetricsCluster.Host shadows the host class of the same name: reach it by reflection.
        var build = typeof(ModuleRegistry).Assembly.GetType("MetricsCluster.Host", throwOnError: true)!.GetMethod("Build")!;
        var app = (WebApplication)build.Invoke(null, [config, ModuleRegistry.Resolve(config.Target)])!;
        await app.StartAsync();
        try
        {
            // Barrier: the first cleanup runs in the background right after start; poll for its marker (generous timeout).
            string marker = Path.Combine(_dataDir, "bucket", "t1", "markers", $"{id}-deletion-mark.json");
            var wait = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(_dataDir, "bucket", "t1", "bucket-index.json.gz")) && wait.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(20);
            }

            Assert.True(File.Exists(marker), "the compactor marked the 1970 block for deletion");
            Assert.True(File.Exists(Path.Combine(blockDir, "deletion-mark.json")));
            Assert.Contains(
                "metricscluster_compactor_blocks_marked_for_deletion_total{reason=\"retention\"} 1",
                app.Services.GetRequiredService<MetricsRegistry>().WriteText(),
                StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
