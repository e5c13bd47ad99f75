using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;
using static MetricsCluster.EndToEnd.Tests.Infra.StoreGatewayReads;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The compactor on real processes (issue 14): three RF-3 ingesters ship three replica blocks per 2h window; the
/// compactor merges each window's replicas into one block (vertical compaction, replicated samples kept once), marks
/// the replicas for deletion, and the querier (store-gateway only), <c>promtool</c> and Prometheus 2.42 opened on the
/// compacted blocks all return exactly the samples written.
/// </summary>
public sealed class CompactionTests : IDisposable
{
    private const string Tenant = "compaction-e2e";
    private static readonly TimeSpan s_generous = TimeSpan.FromSeconds(180);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Replica_blocks_become_one_block_per_window_that_the_querier_promtool_and_Prometheus_read_exactly()
    {
        // One range (2h): only vertical compaction, so the end state does not depend on the time of day (a 12h range
        // may or may not be complete, docs/compactor.md). The wait lets all three ingesters' blocks arrive first.
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Compactor = true,
            CompactorArgs = ["--compactor.block-ranges=2h", "--compactor.compaction-interval=1s", "--compactor.first-level-compaction-wait-period=10s"],
            QuerierArgs = ["--querier.query-store-after=0s", "--querier.query-ingesters-within=30m", "--blocks-storage.bucket-store.sync-interval=5s"],
        });
        var (data, replicas) = await ShippedBlocks.PushAndFlushAsync(cluster, Tenant, "compaction_e2e_metric");
        string tenantDir = Path.Combine(cluster.BucketDir, Tenant);
        long replicaBytes = replicas.Sum(b => BucketBlocks.DataBytes(Path.Combine(tenantDir, b)));
        await AssertEverySampleOnceAsync(_http, cluster, Tenant, data, "before (or while) the replicas are compacted");

        List<BucketBlock> live = [];
        await Poll.UntilAsync(
            () =>
            {
                live = BucketBlocks.Live(tenantDir);
                var sources = live.SelectMany(b => b.Sources).ToHashSet();
                bool done = live.All(b => b.Level == 2) && sources.SetEquals(replicas) && !BucketBlocks.Overlapping(live);
                return Task.FromResult(done ? null : "live blocks: " + string.Join("; ", live.Select(b => $"{b.Id} level {b.Level} [{b.MinTime},{b.MaxTime}) from {b.Sources.Count}")));
            },
            s_generous,
            "one compacted block per 2h window, built from that window's replicas, and no replica left unmarked");
        // One block per 2h window (an ingester may have missed a window under load: a push needs 2 of 3 replicas).
        int windows = replicas.Select(b => BucketBlocks.Read(Path.Combine(tenantDir, b))!.MinTime / 7_200_000).Distinct().Count();
        Assert.Equal(windows, live.Count);

        long compactedBytes = live.Sum(b => BucketBlocks.DataBytes(Path.Combine(tenantDir, b.Id)));
        double ratio = (double)replicaBytes / compactedBytes;

        // N identical replicas of a window become one, less the fixed cost of each block's index (symbols, postings,
        // TOC), large beside 100 series x 4h: 2.46-2.6x measured here with 3 replicas per window; the 24h benchmark
        // gives 3.58x (docs/benchmarks.md). At least 70 % of the replica count.
        double replicasPerWindow = (double)replicas.Count / windows;
        Assert.True(ratio >= 0.7 * replicasPerWindow, $"the bucket's blocks shrank only {ratio:F2}x ({replicaBytes} -> {compactedBytes} bytes) for {replicasPerWindow:F2} replicas per window");

        // In cluster mode the compactor runs each tenant through its compactor grain (docs/compactor.md, Ownership);
        // the only silo hosting compactor grains is this process, so its jobs are the ones counted here.
        double jobs = await IngesterOps.MetricAsync(_http, cluster.Compactor!, "metricscluster_compactor_compactions_total");
        Assert.True(jobs >= live.Count, $"the compactor counted {jobs} compactions for {live.Count} compacted blocks");

        // The store-gateway serves the new blocks, and with the replicas still read (for ignore-deletion-mark-delay)
        // each sample still comes back once.
        await Poll.UntilAsync(
            () => Task.FromResult(live.All(b => ShippedBlocks.LoadedBlocks(cluster.StoreGateway, Tenant).Contains(b.Id)) ? null : "not loaded yet"),
            s_generous,
            "the store-gateway loading the compacted blocks");
        await AssertEverySampleOnceAsync(_http, cluster, Tenant, data, "after compaction");

        string work = Repo.TempDir("compacted");
        try
        {
            foreach (var b in live)
            {
                BlockDirs.Copy(Path.Combine(tenantDir, b.Id), Path.Combine(work, b.Id));
                using var promtool = ChildProcess.Start(Repo.RequireBinary("promtool"), ["tsdb", "analyze", work, b.Id]);
                Assert.True(await promtool.WaitForExitAsync(TimeSpan.FromMinutes(2)) == 0, promtool.Output);
                Assert.True(promtool.Output.Contains("\nSeries: 100\n", StringComparison.Ordinal), promtool.Output);
            }

            await using var prom = await PrometheusProcess.StartOnAsync("global:\n  scrape_interval: 15s\n", work);
            Assert.Null(await data.QueryDifferenceAsync(_http, prom.BaseUri, tenant: null, apiPrefix: "/api/v1"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
