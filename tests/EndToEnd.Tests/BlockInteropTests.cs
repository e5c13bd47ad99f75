using System.Globalization;
using MetricsCluster.EndToEnd.Tests.Infra;
using MetricsCluster.EndToEnd.Tests.Infra.PromQLComparison;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// Block-format interop with the real Prometheus 2.42 tools: Prometheus opens the blocks our ingester shipped and
/// answers like metrics-cluster, and our store-gateway serves a block written by <c>promtool</c> (G18).
/// </summary>
[Collection(LongTermStorage.Name)]
[Trait("Category", LongTermStorage.Category)]
public sealed class BlockInteropTests
{
    private const long BlockRange = 2 * 3_600_000;
    private const string MinimalPrometheusConfig = "global:\n  scrape_interval: 15s\n";

    /// <summary>
    /// PromQL compared between the two systems; instant at several times and range at two steps. Every range function
    /// here gives the same answer whether a sample exactly on the window's left edge is in (Prometheus 2.x) or out
    /// (3.x, what our engine does): count_over_time or min_over_time would differ by that edge, not by the blocks.
    /// </summary>
    private static readonly string[] Queries =
    [
        "interop_metric",
        "interop_metric{s=\"0007\"}",
        "count(interop_metric)",
        "sum by (g) (interop_metric)",
        "avg(interop_metric) - min(interop_metric)",
        "topk(3, interop_metric)",
        "rate(interop_metric[5m])",
        "increase(interop_metric{g=\"2\"}[30m])",
        "max_over_time(interop_metric[1h])",
        "last_over_time(interop_metric[10m])",
        "sum by (g) (delta(interop_metric[15m]))",
        "interop_metric offset 1h",
        "absent(interop_metric{s=\"9999\"})",
    ];

    [Fact]
    public async Task Prometheus_opens_our_shipped_blocks_and_answers_every_query_like_metrics_cluster()
    {
        const string tenant = "interop-ours";
        await using var mc = await MetricsClusterProcess.StartAsync(
            "--blocks-storage.tsdb.ship-interval=1s", "--distributor.ingestion-rate-limit=100000000", "--distributor.ingestion-burst-size=100000000");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var data = PastSeries.Recent("interop_metric", 50, 6);
        await IngesterOps.PushAllAsync(http, mc, tenant, data.Bodies(data.StartMs, data.EndMs + 1));
        await IngesterOps.FlushAsync(http, mc, tenant);
        var blocks = BlockDirs.Complete(Path.Combine(mc.DataDir, "tsdb", tenant));
        Assert.True(blocks.Count >= 3, $"6h flushed into {blocks.Count} blocks");
        string bucketTenant = Path.Combine(mc.DataDir, "bucket", tenant);
        await Poll.UntilAsync(
            () => Task.FromResult(BlockDirs.Complete(bucketTenant).SequenceEqual(blocks) ? null : $"bucket holds {string.Join(",", BlockDirs.Complete(bucketTenant))}"),
            TimeSpan.FromSeconds(120),
            "every block in the filesystem bucket");

        string promTsdb = Repo.TempDir("prom-blocks");
        try
        {
            foreach (string b in blocks)
            {
                BlockDirs.Copy(Path.Combine(bucketTenant, b), Path.Combine(promTsdb, b));
            }

            await using var prom = await PrometheusProcess.StartOnAsync(MinimalPrometheusConfig, promTsdb);

            // First every sample, exactly, from Prometheus itself: this is what proves it read our bytes.
            Assert.Null(await data.QueryDifferenceAsync(http, prom.BaseUri, tenant: null, apiPrefix: "/api/v1"));
            var differences = await CompareAsync(http, QueryTarget.Prometheus("prometheus", prom.BaseUri), QueryTarget.MetricsCluster(mc.BaseUri, tenant), data);
            Assert.True(differences.Count == 0, string.Join("\n", differences));
        }
        finally
        {
            Directory.Delete(promTsdb, recursive: true);
        }
    }

    [Fact]
    public async Task The_store_gateway_serves_a_promtool_block_with_exactly_the_samples_of_the_OpenMetrics_file()
    {
        const string tenant = "interop-promtool";
        long aligned = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / BlockRange * BlockRange;
        var data = new PastSeries("promtool_metric", 40, aligned - (3 * BlockRange), aligned - BlockRange - 60_000, 60_000);
        string work = Repo.TempDir("promtool");
        try
        {
            string blocksDir = Path.Combine(work, "blocks");
            await File.WriteAllTextAsync(Path.Combine(work, "data.om"), data.OpenMetrics());
            using (var promtool = ChildProcess.Start(Repo.RequireBinary("promtool"), ["tsdb", "create-blocks-from", "openmetrics", Path.Combine(work, "data.om"), blocksDir]))
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                Assert.True(await WaitExitAsync(promtool, cts.Token) == 0, promtool.Output);
            }

            var blocks = BlockDirs.Complete(blocksDir);
            Assert.Equal(2, blocks.Count); // Two aligned 2h windows.
            // The querier finds blocks in the bucket index, which the compactor rewrites every cleanup interval (Mimir).
            await using var mc = await MetricsClusterProcess.StartAsync("--blocks-storage.bucket-store.sync-interval=1s", "--compactor.cleanup-interval=1s", "--querier.query-store-after=0s");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            foreach (string b in blocks)
            {
                ThanosSection.Add(Path.Combine(blocksDir, b), tenant, "promtool");

                // A rename into the bucket on the same file system, so the store-gateway never sees half a block.
                string staged = Path.Combine(mc.DataDir, "staging-" + b);
                BlockDirs.Copy(Path.Combine(blocksDir, b), staged);
                Directory.CreateDirectory(Path.Combine(mc.DataDir, "bucket", tenant));
                Directory.Move(staged, Path.Combine(mc.DataDir, "bucket", tenant, b));
            }

            // The ingester never saw this tenant: every sample can only come from the synced bucket.
            await Poll.UntilAsync(() => data.QueryDifferenceAsync(http, mc.BaseUri, tenant), TimeSpan.FromSeconds(120), "the promtool blocks served");
            Assert.Equal(blocks, BlockDirs.Complete(Path.Combine(mc.DataDir, "store-gateway", tenant)));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<int> WaitExitAsync(ChildProcess p, CancellationToken ct)
    {
        while (!p.HasExited)
        {
            // Polling the child: ChildProcess exposes no exit task.
            await Task.Delay(100, ct);
        }

        return p.ExitCode;
    }

    /// <summary>Every query instant at four times and as a range at two steps over the data; the differences found.</summary>
    private static async Task<List<string>> CompareAsync(HttpClient http, QueryTarget expected, QueryTarget actual, PastSeries data)
    {
        long start = data.StartMs / 1000, end = data.EndMs / 1000;
        long[] times = [start + 600, start + ((end - start) / 2) + 17, end - 60, end];
        var differences = new List<string>();
        foreach (string q in Queries)
        {
            foreach (long t in times)
            {
                Record(q, FormattableString.Invariant($"instant @{t}"), await expected.InstantAsync(http, q, t), await actual.InstantAsync(http, q, t));
            }

            foreach (int step in new[] { 60, 37 })
            {
                Record(q, FormattableString.Invariant($"range step {step}"), await expected.RangeAsync(http, q, start, end, step), await actual.RangeAsync(http, q, start, end, step));
            }
        }

        return differences;

        void Record(string q, string how, QueryAnswer want, QueryAnswer got)
        {
            // Every range answer has data over the blocks' range; an instant one may be empty (offset 1h near the start).
            if (want.Status != "success" || (want.Series.Count == 0 && how.StartsWith("range", StringComparison.Ordinal)))
            {
                differences.Add($"{q} {how}: Prometheus answered {want.Status} with {want.Series.Count} series, not a meaningful reference: {want.Raw[..Math.Min(300, want.Raw.Length)]}");
            }
            else if (AnswerComparer.Difference(q, want, got) is { } d)
            {
                differences.Add(string.Create(CultureInfo.InvariantCulture, $"{q} {how}: {d}"));
            }
        }
    }
}
