using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;
using static MetricsCluster.EndToEnd.Tests.Infra.StoreGatewayReads;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The cluster of <see cref="ClusterStoreGatewayReplicationTests"/>: as <see cref="ClusterStoreGatewayFixture"/>
/// but with 3 store-gateways and RF 2, so every block is loaded by two of them.
/// </summary>
public abstract class ClusterStoreGatewayReplicationFixture(RingStoreKind store) : IAsyncLifetime
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
        Store = store,
        StoreGateways = 3,
        StoreGatewayReplicationFactor = 2,
        Compactor = true,
        QuerierArgs = ["--querier.query-store-after=0s", "--querier.query-ingesters-within=30m", $"--blocks-storage.bucket-store.sync-interval={QuerierSyncInterval.TotalSeconds}s"],
    });

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        // Null when InitializeAsync failed: LocalCluster.StartAsync has then already stopped what it started.
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>The RF 2 store-gateway cluster on <c>--ring.store=postgres</c>.</summary>
public sealed class PostgresStoreGatewayReplicationFixture() : ClusterStoreGatewayReplicationFixture(RingStoreKind.Postgres);

/// <summary>The RF 2 store-gateway cluster on <c>--ring.store=azure</c> (Azurite).</summary>
public sealed class AzureStoreGatewayReplicationFixture() : ClusterStoreGatewayReplicationFixture(RingStoreKind.Azure);

/// <summary>Store-gateway replication on the PostgreSQL provider.</summary>
public sealed class StoreGatewayReplicationOnPostgresTests(PostgresStoreGatewayReplicationFixture fixture)
    : ClusterStoreGatewayReplicationTests(fixture.Cluster), IClassFixture<PostgresStoreGatewayReplicationFixture>;

/// <summary>Store-gateway replication on the Azure provider (Azurite).</summary>
public sealed class StoreGatewayReplicationOnAzureTests(AzureStoreGatewayReplicationFixture fixture)
    : ClusterStoreGatewayReplicationTests(fixture.Cluster), IClassFixture<AzureStoreGatewayReplicationFixture>;

/// <summary>
/// Store-gateway replication (docs/replication.md): with RF 2 each block lives on two of three store-gateways, and
/// when one is killed the querier retries its blocks on the other replica, so every query still answers in full.
/// </summary>
public abstract class ClusterStoreGatewayReplicationTests(LocalCluster cluster) : IDisposable
{
    private const string Tenant = ClusterStoreGatewayReplicationFixture.Tenant;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly LocalCluster _cluster = cluster;

    /// <inheritdoc/>
    public void Dispose()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task With_RF_2_a_killed_store_gateway_fails_no_query_its_blocks_are_read_from_their_other_replica()
    {
        // ShipAsync waits until every block is loaded by exactly two of the three store-gateways.
        var shipped = await ShippedBlocks.ShipAsync(_cluster, Tenant, "sg_e2e_rf2_metric", rf: 2);
        var gateways = _cluster.StoreGateways;
        double[] before = await Task.WhenAll(gateways.Select(g => PostingsRequestsAsync(_http, g)));
        await AssertEverySampleOnceAsync(_http, _cluster, Tenant, shipped.Data, "with three store-gateways up");
        double[] after = await Task.WhenAll(gateways.Select(g => PostingsRequestsAsync(_http, g)));

        // The victim is the one the querier asked for the most blocks (one postings lookup per block read), so the
        // querier certainly sends it some blocks after the kill and has to retry them elsewhere.
        int v = Enumerable.Range(0, gateways.Length).MaxBy(i => after[i] - before[i]);
        Assert.True(after[v] > before[v], "no store-gateway served a postings lookup: the answer did not come from them");
        var victim = gateways[v];
        var survivors = gateways.Where(g => g != victim).ToArray();

        // Past the upload grace period, a block read nowhere would fail the query: only the retry can save it.
        await ShippedBlocks.WaitPastUploadGraceAsync(_cluster, Tenant, 3 * ClusterStoreGatewayReplicationFixture.QuerierSyncInterval);
        double[] survivorsBefore = await Task.WhenAll(survivors.Select(g => PostingsRequestsAsync(_http, g)));
        victim.Kill9();

        // Still ACTIVE in the ring (heartbeat timeout 1m), so the querier tries it first for its blocks and must
        // fall back to their other replica: the first query after the kill already answers in full.
        var (status, raw) = await QueryRawAsync(_http, _cluster.Querier, Tenant, shipped.Data);
        Assert.True(status == 200, $"expected 200 with store-gateway-{v} killed (RF 2), got {status}: {Shorten(raw)}\n{_cluster.Logs()}");
        AssertExactSamples(raw, shipped.Data, $"first query with store-gateway-{v} killed");

        // The survivors read every block between them, and the querier logged that it moved the victim's blocks on.
        double[] survivorsAfter = await Task.WhenAll(survivors.Select(g => PostingsRequestsAsync(_http, g)));
        double read = survivorsAfter.Sum() - survivorsBefore.Sum();
        Assert.True(read >= shipped.Blocks.Count, $"the surviving store-gateways read postings {read} times for {shipped.Blocks.Count} blocks");
        await Poll.UntilAsync(
            () => Task.FromResult(_cluster.Querier.Child.Output.Contains($"store-gateway store-gateway-{v} (", StringComparison.Ordinal)
                && _cluster.Querier.Child.Output.Contains("retrying them on other replicas", StringComparison.Ordinal) ? null : "no retry logged"),
            TimeSpan.FromSeconds(30),
            $"the querier logging that store-gateway-{v} failed and its blocks were retried");
    }
}
