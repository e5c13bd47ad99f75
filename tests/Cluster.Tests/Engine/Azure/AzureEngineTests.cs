using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Engine.Azure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.Cluster.Tests.Engine.Azure;

/// <summary>
/// <c>--ring.store=azure</c> against a real Azurite: membership in Azure Table, grain state in Azure Blob (G18: real
/// silos in one process, waits on conditions with deadlines, never sleeps to assert).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureEngineTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private string Conn => azurite.Server.ConnectionString;

    [Fact]
    public async Task Two_silos_form_a_cluster_and_each_sees_the_other_leave()
    {
        azurite.Report(output);
        string cluster = UniqueClusterId();
        var clock = Stopwatch.StartNew();
        await using AzureSilo a = await AzureSilo.StartAsync(Conn, cluster, "ingester-a");
        TimeSpan first = clock.Elapsed;
        await using AzureSilo b = await AzureSilo.StartAsync(Conn, cluster, "ingester-b");
        await AzureSilo.WaitUntilAsync(() => a.ActiveCount() == 2 && b.ActiveCount() == 2, "both silos to see two Active members");
        output.WriteLine($"cluster formed in {clock.Elapsed.TotalMilliseconds:F0} ms (first silo started in {first.TotalMilliseconds:F0} ms)");

        SiloAddress gone = b.Address;
        clock.Restart();
        await b.StopAsync();
        TimeSpan stopped = clock.Elapsed;
        TimeSpan seen = await AzureSilo.WaitUntilAsync(() => a.SeesDeadOrGone(gone), "the remaining silo to see the stopped one Dead");
        output.WriteLine($"graceful stop took {stopped.TotalMilliseconds:F0} ms; seen Dead {seen.TotalMilliseconds:F0} ms after that");
        Assert.Equal(1, a.ActiveCount());

        // The membership rows are in the engine's table, partitioned by cluster id.
        TableClient table = AzureEngine.CreateTableServiceClient(Conn).GetTableClient(AzureEngine.MembershipTableName);
        List<TableEntity> rows = [.. table.Query<TableEntity>(e => e.PartitionKey == cluster)];
        Assert.Contains(rows, r => r.GetString("SiloName") == "ingester-b" && r.GetString("Status") == "Dead");
        Assert.Contains(rows, r => r.GetString("SiloName") == "ingester-a" && r.GetString("Status") == "Active");
    }

    [Fact]
    public async Task Grain_state_survives_a_silo_restart_and_a_stale_etag_write_fails()
    {
        string cluster = UniqueClusterId();
        string key = "restart-" + Guid.NewGuid().ToString("N");
        await using (AzureSilo first = await AzureSilo.StartAsync(Conn, cluster, "ingester-a"))
        {
            await first.Grains.GetGrain<IProbeGrain>(key).WriteAsync(new ProbeState { Text = "v1" });
            await first.StopAsync();
        }

        await using AzureSilo second = await AzureSilo.StartAsync(Conn, cluster, "ingester-a");
        Assert.Equal("v1", (await second.Grains.GetGrain<IProbeGrain>(key).ReadAsync()).Text);

        // Compare-and-swap, as the ring grain uses it: two readers of one version, the second writer loses.
        IGrainStorage storage = second.Services.GetRequiredKeyedService<IGrainStorage>(EngineStorage.Name);
        GrainId id = GrainId.Create(ProbeGrain.TypeName, key);
        GrainState<ProbeState> winner = await ReadAsync(storage, id);
        GrainState<ProbeState> loser = await ReadAsync(storage, id);
        Assert.Equal("v1", winner.State?.Text);
        winner.State = new ProbeState { Text = "v2" };
        await storage.WriteStateAsync(ProbeGrain.StateName, id, winner);
        loser.State = new ProbeState { Text = "v2-stale" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(ProbeGrain.StateName, id, loser));
        Assert.Equal("v2", (await ReadAsync(storage, id)).State?.Text);

        // A writer that believes the state does not exist yet (no etag) loses too.
        var creator = new GrainState<ProbeState>(new ProbeState { Text = "fresh" });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(ProbeGrain.StateName, id, creator));
    }

    [Fact]
    public async Task State_above_one_megabyte_round_trips_through_a_blob()
    {
        string cluster = UniqueClusterId();
        string key = "large-" + Guid.NewGuid().ToString("N");
        byte[] payload = new byte[1_500_000];
        new Random(13).NextBytes(payload);
        await using (AzureSilo first = await AzureSilo.StartAsync(Conn, cluster, "ingester-a"))
        {
            await first.Grains.GetGrain<IProbeGrain>(key).WriteAsync(new ProbeState { Text = "large", Payload = payload });
            await first.StopAsync();
        }

        await using AzureSilo second = await AzureSilo.StartAsync(Conn, cluster, "ingester-a");
        ProbeState read = await second.Grains.GetGrain<IProbeGrain>(key).ReadAsync();
        Assert.Equal("large", read.Text);
        Assert.Equal(payload, read.Payload);

        // It is one blob in the engine's container, larger than any table entity could be.
        BlobContainerClient container = AzureEngine.CreateBlobServiceClient(Conn).GetBlobContainerClient(AzureEngine.StateContainerName);
        List<BlobItem> blobs = [];
        await foreach (BlobItem blob in container.GetBlobsAsync())
        {
            if (blob.Name.Contains(key, StringComparison.Ordinal))
            {
                blobs.Add(blob);
            }
        }

        BlobItem stored = Assert.Single(blobs);
        output.WriteLine($"stored blob {stored.Name}: {stored.Properties.ContentLength} bytes");
        Assert.True(stored.Properties.ContentLength > 1_000_000, $"blob holds {stored.Properties.ContentLength} bytes");
    }

    [Fact]
    public async Task Pinned_service_versions_are_accepted_where_the_newest_blob_version_is_not()
    {
        // Why the pin exists: this Azurite rejects the Blob SDK's default (newest) REST version.
        var unpinned = new BlobServiceClient(Conn);
        RequestFailedException e = await Assert.ThrowsAsync<RequestFailedException>(() => unpinned.GetPropertiesAsync());
        output.WriteLine($"default blob version {new BlobClientOptions().Version}: {e.Status} {e.ErrorCode}");
        Assert.Equal(400, e.Status);

        await AzureEngine.CreateBlobServiceClient(Conn).GetPropertiesAsync();
        await AzureEngine.CreateTableServiceClient(Conn).GetPropertiesAsync();

        // The Table SDK's default is its newest version, V2020_12_06, the same as the pin: Azurite accepts it. The pin
        // only keeps a future SDK from moving it.
        await new TableServiceClient(Conn).GetPropertiesAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not a connection string")]
    public void A_bad_connection_string_names_the_flag(string connectionString)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => AzureEngine.CreateTableServiceClient(connectionString));
        Assert.Contains("--ring.azure.connection-string", e.Message, StringComparison.Ordinal);
        e = Assert.ThrowsAny<ArgumentException>(() => AzureEngine.CreateBlobServiceClient(connectionString));
        Assert.Contains("--ring.azure.connection-string", e.Message, StringComparison.Ordinal);
    }

    private static async Task<GrainState<ProbeState>> ReadAsync(IGrainStorage storage, GrainId id)
    {
        var state = new GrainState<ProbeState>(new ProbeState());
        await storage.ReadStateAsync(ProbeGrain.StateName, id, state);
        return state;
    }

    private static string UniqueClusterId() => EngineStorage.ClusterId + "-" + Guid.NewGuid().ToString("N")[..12];
}
