using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// Downsampling on the whole binary (issue 14 item 7): 30 days of raw 2h blocks in a filesystem bucket are compacted
/// into 10-day blocks, downsampled to 5m and then 1h; a 30-day query at a 1h step answers from the 1h blocks with
/// <c>max_source_resolution=1h</c>, from the 5m blocks by default (step / 5 = 12m), and exactly from raw data with
/// <c>max_source_resolution=0s</c>. Which resolution answered is proven by the querier's per-resolution count of
/// blocks read, and by the values: a window's sum covers [h, h+1h), the raw range (t−1h, t].
/// </summary>
public sealed class DownsamplingTests : IDisposable
{
    private const string Tenant = "downsampling-e2e";
    private const string Query = "sum_over_time(downsampling_e2e[1h])";
    private const long Hour = 3_600_000;
    private const long TenDays = 240 * Hour;
    private static readonly TimeSpan s_generous = TimeSpan.FromSeconds(300);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Thirty_days_at_1h_step_answer_from_1h_blocks_and_max_source_resolution_0_gives_the_raw_answer()
    {
        // 30 days aligned to the 240h range, ending at least one range before now (else the last 240h job would wait
        // for more blocks). 4 series every 2 minutes: 86,400 samples, 360 promtool blocks of 2h.
        long start = ((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (45 * 24 * Hour)) / TenDays) * TenDays;
        var data = new PastSeries("downsampling_e2e", 4, start, start + (30 * 24 * Hour) - 120_000, 120_000);
        string work = Repo.TempDir("downsampling");
        string bucket = Path.Combine(work, "bucket");
        string tenantDir = Path.Combine(bucket, Tenant);
        try
        {
            await using var mc = await MetricsClusterProcess.StartAsync(
                "--blocks-storage.filesystem.dir=" + bucket,
                "--compactor.block-ranges=2h,24h,240h",
                "--compactor.downsampling-enabled=true",
                "--compactor.compaction-interval=1s",
                "--compactor.first-level-compaction-wait-period=0s",
                "--compactor.cleanup-interval=1s",
                "--querier.query-store-after=0s",
                "--blocks-storage.bucket-store.sync-interval=1s");
            await PutPromtoolBlocksAsync(data, work, tenantDir);

            List<(string Id, long MinTime, long MaxTime, long Resolution)> live = [];
            await Poll.UntilAsync(
                () =>
                {
                    live = LiveBlocks(tenantDir);
                    bool done = new long[] { 0, 300_000, 3_600_000 }.All(r => live.Count(b => b.Resolution == r && b.MaxTime - b.MinTime == TenDays) == 3);
                    return Task.FromResult(done ? null : "live blocks: " + string.Join("; ", live.Select(b => $"{b.Id} res {b.Resolution} [{b.MinTime},{b.MaxTime})")));
                },
                s_generous,
                "three 10-day blocks at each of raw, 5m and 1h");

            // promtool still lists the bucket's tenant directory, downsampled blocks included.
            using (var promtool = ChildProcess.Start(Repo.RequireBinary("promtool"), ["tsdb", "list", tenantDir]))
            {
                Assert.True(await promtool.WaitForExitAsync(TimeSpan.FromMinutes(2)) == 0, promtool.Output);
                Assert.All(live, b => Assert.Contains(b.Id, promtool.Output, StringComparison.Ordinal));
            }

            // Evaluated at minute 1 of every hour: no raw sample sits on a range boundary.
            long qStart = start + Hour + 60_000, qEnd = start + (30 * 24 * Hour) + 60_000;
            var downsampled = Expected(data, qStart, qEnd, t => (t - 60_000 - Hour, t - 60_000 - 1));
            var raw = Expected(data, qStart, qEnd, t => (t - Hour + 1, t));

            // 5m blocks give the same window sums, so the answer alone does not show the 1h blocks are served yet: wait
            // until one query reads exactly the three 1h blocks (until the store-gateway and the bucket index have them
            // all, the querier falls back to 5m blocks for the rest of the range).
            await Poll.UntilAsync(
                async () =>
                {
                    var before = await ReadCountsAsync(mc);
                    if (Difference(await RangeAsync(mc, qStart, qEnd, "1h"), downsampled) is { } wrong)
                    {
                        return wrong;
                    }

                    var afterOne = await ReadCountsAsync(mc);
                    return afterOne == (before.OneHour + 3, before.Raw, before.FiveMinutes) ? null : $"blocks read (1h, raw, 5m): {before} -> {afterOne}";
                },
                s_generous,
                "the 1h answer from the three 1h blocks once the store-gateway serves them");
            var (hourBlocks, rawBlocks, fiveBlocks) = await ReadCountsAsync(mc);
            Assert.Null(Difference(await RangeAsync(mc, qStart, qEnd, "1h"), downsampled));
            var after = await ReadCountsAsync(mc);
            Assert.Equal((hourBlocks + 3, rawBlocks, fiveBlocks), after);

            // max_source_resolution=0s: raw blocks only, and the exact raw answer (it differs from every window sum).
            Assert.Null(Difference(await RangeAsync(mc, qStart, qEnd, "0s"), raw));
            // Raw blocks only; more than the three 10-day ones, because the compacted-away 2h and 24h sources are
            // still read until their deletion marks are older than the ignore delay (1h), as in Mimir.
            var afterRaw = await ReadCountsAsync(mc);
            Assert.True(afterRaw.Raw >= after.Raw + 3, $"raw blocks read: {after.Raw} -> {afterRaw.Raw}");
            Assert.Equal((after.OneHour, after.FiveMinutes), (afterRaw.OneHour, afterRaw.FiveMinutes));
            Assert.NotNull(Difference(await RangeAsync(mc, qStart, qEnd, "0s"), downsampled));

            // No parameter at a 1h step: step / 5 = 12m allows 5m blocks, which give the same window sums.
            // Without the parameter the query-frontend splits the range by day: each day's sub-query reads its 5m block.
            var beforeAuto = await ReadCountsAsync(mc);
            Assert.Null(Difference(await RangeAsync(mc, qStart, qEnd, null), downsampled));
            var afterAuto = await ReadCountsAsync(mc);
            Assert.True(afterAuto.FiveMinutes >= beforeAuto.FiveMinutes + 3, $"5m blocks read: {beforeAuto.FiveMinutes} -> {afterAuto.FiveMinutes}");
            Assert.Equal((beforeAuto.OneHour, beforeAuto.Raw), (afterAuto.OneHour, afterAuto.Raw));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Converts the data with promtool and moves each 2h block into the bucket with a Thanos section.</summary>
    private static async Task PutPromtoolBlocksAsync(PastSeries data, string work, string tenantDir)
    {
        string blocksDir = Path.Combine(work, "promtool");
        string om = Path.Combine(work, "data.om");
        await File.WriteAllTextAsync(om, data.OpenMetrics());
        using (var promtool = ChildProcess.Start(Repo.RequireBinary("promtool"), ["tsdb", "create-blocks-from", "openmetrics", om, blocksDir]))
        {
            Assert.True(await promtool.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, promtool.Output);
        }

        Directory.CreateDirectory(tenantDir);
        foreach (string b in BlockDirs.Complete(blocksDir))
        {
            // promtool ends a block at its last sample + 1 ms; an ingester's block spans its whole 2h range, so
            // compacted 10-day blocks span exactly 10 days, as downsampling to 1h requires (Thanos' rule).
            string metaPath = Path.Combine(blocksDir, b, "meta.json");
            var meta = JsonNode.Parse(await File.ReadAllTextAsync(metaPath))!.AsObject();
            long twoHours = 2 * Hour;
            meta["minTime"] = meta["minTime"]!.GetValue<long>() / twoHours * twoHours;
            meta["maxTime"] = ((meta["maxTime"]!.GetValue<long>() + twoHours - 1) / twoHours) * twoHours;
            await File.WriteAllTextAsync(metaPath, meta.ToJsonString());
            ThanosSection.Add(Path.Combine(blocksDir, b), Tenant, "promtool");
            Directory.Move(Path.Combine(blocksDir, b), Path.Combine(tenantDir, b));
        }
    }

    /// <summary>Complete blocks without a deletion mark, with their resolution.</summary>
    private static List<(string Id, long MinTime, long MaxTime, long Resolution)> LiveBlocks(string tenantDir) =>
        [.. BucketBlocks.Live(tenantDir).Select(b => (b.Id, b.MinTime, b.MaxTime, Resolution(Path.Combine(tenantDir, b.Id))))];

    private static long Resolution(string dir)
    {
        var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "meta.json")))!;
        return meta["thanos"]?["downsample"]?["resolution"]?.GetValue<long>() ?? 0;
    }

    /// <summary>Per series (label s) and evaluation time, the sum of the samples in [from, to] that <paramref name="window"/> gives for t.</summary>
    private static Dictionary<string, Dictionary<long, double>> Expected(PastSeries data, long qStart, long qEnd, Func<long, (long From, long To)> window)
    {
        var result = new Dictionary<string, Dictionary<long, double>>();
        for (int s = 0; s < data.SeriesCount; s++)
        {
            var points = new Dictionary<long, double>();
            for (long t = qStart; t <= qEnd; t += Hour)
            {
                var (from, to) = window(t);
                long first = Math.Max(0, (from - data.StartMs + data.StepMs - 1) / data.StepMs);
                long last = Math.Min(data.Points - 1, (to - data.StartMs) / data.StepMs);
                if (first <= last)
                {
                    points[t] = Enumerable.Range((int)first, (int)(last - first + 1)).Sum(i => PastSeries.Value(s, i));
                }
            }

            result[PastSeries.SeriesLabel(s)] = points;
        }

        return result;
    }

    private async Task<JsonDocument> RangeAsync(MetricsClusterProcess mc, long start, long end, string? maxSourceResolution)
    {
        string path = FormattableString.Invariant($"/prometheus/api/v1/query_range?query={Uri.EscapeDataString(Query)}&start={start / 1000}&end={end / 1000}&step=3600")
            + (maxSourceResolution is null ? string.Empty : "&max_source_resolution=" + maxSourceResolution);
        var (status, json, raw) = await QueryApi.GetAsync(_http, mc.BaseUri, path, Tenant);
        Assert.True(status == 200 && json is not null, $"query_range answered {status}: {raw}");
        return json!;
    }

    /// <summary>Null when the matrix holds exactly the expected points (every series, time and value), else the first difference.</summary>
    private static string? Difference(JsonDocument answer, Dictionary<string, Dictionary<long, double>> expected)
    {
        using (answer)
        {
            var result = answer.RootElement.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() != expected.Count)
            {
                return $"{result.GetArrayLength()} series, expected {expected.Count}";
            }

            foreach (var series in result.EnumerateArray())
            {
                string s = series.GetProperty("metric").GetProperty("s").GetString()!;
                var want = expected[s];
                var got = series.GetProperty("values").EnumerateArray()
                    .ToDictionary(v => (long)Math.Round(v[0].GetDouble() * 1000), v => double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture));
                if (got.Count != want.Count)
                {
                    return $"series s={s}: {got.Count} points, expected {want.Count}";
                }

                foreach (var (t, v) in want)
                {
                    if (!got.TryGetValue(t, out double g) || g != v)
                    {
                        return $"series s={s} at {t}: {(got.ContainsKey(t) ? g.ToString(CultureInfo.InvariantCulture) : "missing")}, expected {v.ToString(CultureInfo.InvariantCulture)}";
                    }
                }
            }

            return null;
        }
    }

    /// <summary>The querier's count of blocks read, per resolution (1h, raw, 5m).</summary>
    private async Task<(double OneHour, double Raw, double FiveMinutes)> ReadCountsAsync(MetricsClusterProcess mc)
    {
        string text = await _http.GetStringAsync(new Uri(mc.BaseUri, "/metrics"));
        double Get(string r) => text.Split('\n')
            .Where(l => l.StartsWith($"metricscluster_querier_blocks_read_total{{resolution=\"{r}\"}} ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))
            .SingleOrDefault();
        return (Get("3600000"), Get("0"), Get("300000"));
    }
}
