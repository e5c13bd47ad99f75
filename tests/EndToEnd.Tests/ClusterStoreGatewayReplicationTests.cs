using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;
using static MetricsCluster.EndToEnd.Tests.Infra.StoreGatewayReads;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The cluster of <see cref="ClusterStoreGatewayReplicationTests"/>: as <see cref="ClusterStoreGatewayFixture"/>
/// but with 3 store-gateways and RF 2, so every block is loaded by two of them.
/// </summary>
public sealed class ClusterStoreGatewayReplicationFixture : IAsyncLifetime
{
    /// <summary>The tenant every test reads.</summary>
    public const string Tenant = "sg-e2e-rf2";

    /// <summary>The querier's bucket-store sync interval, which also sets its upload grace period (3×).</summary>
    public static readonly TimeSpan QuerierSyncInterval = TimeSpan.FromSeconds(5);

    /// <summary>The running cluster.</summary>
    public LocalCluster Cluster { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync() => Cluster = await LocalCluster.StartAsync(new LocalClusterOptions
    {
        StoreGateways = 3,
        StoreGatewayReplicationFactor = 2,
        Compactor = true,
        QuerierArgs = ["--querier.query-store-after=0s", "--querier.query-ingesters-within=30m", $"--blocks-storage.bucket-store.sync-interval={QuerierSyncInterval.TotalSeconds}s"],
    });

    /// <inheritdoc/>
    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Store-gateway replication (docs/replication.md): with RF 2 each block lives on two of three store-gateways, and
/// when one is killed the querier retries its blocks on the other replica, so every query still answers in full.
/// </summary>
public sealed class ClusterStoreGatewayReplicationTests(ClusterStoreGatewayReplicationFixture fixture) : IClassFixture<ClusterStoreGatewayReplicationFixture>, IDisposable
{
    private const string Tenant = ClusterStoreGatewayReplicationFixture.Tenant;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly LocalCluster _cluster = fixture.Cluster;

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task With_RF_2_a_killed_store_gateway_fails_no_query_its_blocks_are_read_from_their_other_replica()
    {
        var shipped = await ShippedBlocks.ShipAsync(_cluster, Tenant, "sg_e2e_rf2_metric", rf: 2);
        Assert.All(shipped.Loaded, l => Assert.True(l.Count < shipped.Blocks.Count, $"a store-gateway loaded {l.Count} of {shipped.Blocks.Count} blocks: not sharded"));
        await AssertEverySampleOnceAsync(_http, _cluster, Tenant, shipped.Data, "with three store-gateways up");

        // Past the upload grace period, a block read nowhere would fail the query: only the retry can save it.
        await ShippedBlocks.WaitPastUploadGraceAsync(_cluster, Tenant, 3 * ClusterStoreGatewayReplicationFixture.QuerierSyncInterval);
        var victim = _cluster.StoreGateways[0];
        var survivors = _cluster.StoreGateways.Skip(1).ToArray();
        double[] before = await Task.WhenAll(survivors.Select(g => PostingsRequestsAsync(_http, g)));
        victim.Kill9();

        // Still ACTIVE in the ring (heartbeat timeout 1m), so the querier tries it first for some blocks and must
        // fall back to their other replica: the first query after the kill already answers in full.
        var (status, raw) = await QueryRawAsync(_http, _cluster.Querier, Tenant, shipped.Data);
        Assert.True(status == 200, $"expected 200 with store-gateway-0 killed (RF 2), got {status}: {Shorten(raw)}\n{_cluster.Logs()}");

        // The querier did try the dead one and moved its blocks on (ShardedStoreGatewayClient's warning).
        await Poll.UntilAsync(
            () => Task.FromResult(_cluster.Querier.Child.Output.Contains("store-gateway store-gateway-0 (", StringComparison.Ordinal)
                && _cluster.Querier.Child.Output.Contains("retrying them on other replicas", StringComparison.Ordinal) ? null : "no retry logged"),
            TimeSpan.FromSeconds(30),
            "the querier logging that store-gateway-0 failed and its blocks were retried");
        await AssertEverySampleOnceAsync(_http, _cluster, Tenant, shipped.Data, "with store-gateway-0 killed");

        // The survivors served every block between them: each read postings for at least the blocks the victim had.
        double[] after = await Task.WhenAll(survivors.Select(g => PostingsRequestsAsync(_http, g)));
        Assert.True(after.Sum() - before.Sum() >= shipped.Blocks.Count, $"the surviving store-gateways read postings {after.Sum() - before.Sum()} times for {shipped.Blocks.Count} blocks");
    }
}
