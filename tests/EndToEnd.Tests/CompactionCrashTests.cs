using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The issue's crash acceptance test for the compactor: kill -9 of the compactor at five random moments during a run;
/// every query before, during and after gives the same exact answer (no sample lost or counted twice), the run ends
/// with every replica merged into non-overlapping blocks, and the partial uploads the kills left are cleaned up.
/// </summary>
/// <remarks>
/// Two real processes share one filesystem bucket: a reader (<c>--target=all</c>: querier, store-gateway and a
/// compactor module that only cleans up and writes the bucket index) and the compactor under test
/// (<c>--target=compactor</c>), which is killed and restarted on the same data dir. The seed is printed in every
/// failure message; set <c>CRASH_TEST_SEED</c> to replay a run's kill moments.
/// </remarks>
[Collection(LongTermStorage.Name)]
[Trait("Category", LongTermStorage.Category)]
public sealed partial class CompactionCrashTests : IDisposable
{
    private const string Tenant = "compaction-crash";
    private const string Metric = "crash_metric";
    private const int Kills = 5;
    private const int ReplicasPerBlock = 3;
    private const long TwelveHoursMs = 12 * 3_600_000L;
    private static readonly TimeSpan s_generous = TimeSpan.FromSeconds(120);

    // Only the documented race may be retried, and only this long (see RetryableRace).
    private static readonly TimeSpan s_raceRetry = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly ITestOutputHelper _output;
    private int _queryRounds;
    private int _raceRetries;

    /// <summary>Initializes a new instance of the <see cref="CompactionCrashTests"/> class.</summary>
    /// <param name="output">Receives the seed and what each kill hit.</param>
    public CompactionCrashTests(ITestOutputHelper output)
    {
        _output = output;
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Kill9_of_the_compactor_at_five_random_moments_loses_no_sample_counts_none_twice_and_leaves_no_partial_block()
    {
        int seed = Environment.GetEnvironmentVariable("CRASH_TEST_SEED") is { Length: > 0 } s
            ? int.Parse(s, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var random = new Random(seed);
        _output.WriteLine($"seed {seed} (CRASH_TEST_SEED={seed} replays the kill moments)");
        var clock = Stopwatch.StartNew();

        // A complete aligned 12h range that ended at least 12h ago, so the planner's premature-job guard lets its six
        // 2h blocks be merged once there (rangeEnd + range <= now): the run holds six vertical jobs (three replicas of
        // each 2h window) and then one horizontal 12h job. 300 series at 30 s: 72,000 samples per 2h block, so a job
        // takes a noticeable moment on this machine (a merge of three replicas reads 216,000 samples).
        long rangeEnd = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / TwelveHoursMs * TwelveHoursMs) - TwelveHoursMs;
        var data = new PastSeries(Metric, 300, rangeEnd - TwelveHoursMs, rangeEnd - 30_000, 30_000);

        string work = Repo.TempDir("crash");
        string bucket = Path.Combine(work, "bucket");
        string tenantDir = Path.Combine(bucket, Tenant);
        string compactorData = Path.Combine(work, "compactor-data");
        ChildProcess? compactor = null;
        using var stopQueries = new CancellationTokenSource();
        Task<string?>? queries = null;
        try
        {
            var replicas = await MakeReplicaBlocksAsync(data, work, tenantDir, random);
            Assert.Equal(6 * ReplicasPerBlock, replicas.Count);

            // The reader. Its compactor module must never compact, or the run under test would not be the only one:
            // with the single range 2h, a job can only be a merge of overlapping blocks inside one aligned 2h window.
            // The replicas are level 1, so such a job waits for the 1000h first-level wait; a compacted 2h block is
            // alone in its window once its sources are marked (and they are filtered as redundant until then); a 12h
            // block is larger than the largest range and never compacted. Its compaction also runs only at start and
            // then hourly. The test asserts at the end that it compacted nothing. Its cleanup runs every second: it
            // writes the bucket index the querier and store-gateway read, and deletes partial blocks 10s after their
            // last write (--compactor.partial-block-deletion-delay, a per-tenant limit flag).
            await using var reader = await MetricsClusterProcess.StartAsync(ReaderArgs(bucket, ignoreDeletionMarksDelay: null));

            await Poll.UntilAsync(
                () => FullDifferenceAsync(reader, data),
                s_generous,
                $"seed {seed}: the reader serving every replica block");
            _output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: before: exact");

            // During: queries all the time; a wrong answer ends the loop and fails the test at the next check.
            queries = QueryContinuouslyAsync(reader, data, tenantDir, stopQueries.Token);

            var kills = new List<string>();
            int hitMidJob = 0, leftPartialOrRedundant = 0;
            // The two kinds that leave the states to recover from (a partial block; a complete block whose sources are
            // not marked) are the first two kills, at the first upload of their life, while the run is surely not over: a
            // random delay first could outlast the whole run on a fast machine (a CI simulation: the run ended after 2 s,
            // a 3.2 s delay, and every later life found nothing left to do). The other three kills are drawn at random.
            List<KillAt> kinds = [.. new[] { KillAt.NewBlockFile, KillAt.NewMetaJson }.OrderBy(_ => random.Next())];
            kinds.Add((KillAt)random.Next(5));
            kinds.Add((KillAt)random.Next(5));
            kinds.Add((KillAt)random.Next(5));
            for (int k = 0; k < Kills; k++)
            {
                var known = TakeSnapshot(tenantDir);
                var jobDirs = JobDirs(compactorData);
                compactor = StartCompactor(bucket, compactorData);
                int nth = k < 2 ? 1 : random.Next(1, 3);
                int delayMs = random.Next(300, 4000);
                string moment = await KillAtMomentAsync(kinds[k], nth, delayMs, known, tenantDir, replicas, compactor, seed);
                var state = Inspect(tenantDir, replicas);
                var newPartial = state.Partial.Except(known.Dirs).ToList();
                var newEmpty = state.Empty.Except(known.Dirs).ToList();

                // A job dir of this life: the kill hit a job while it downloaded, merged or uploaded.
                bool scratch = JobDirs(compactorData).Except(jobDirs).Any();
                bool midJob = scratch || newPartial.Count > 0 || state.UnmarkedRedundant.Count > 0 || state.HalfMarked.Count > 0;
                hitMidJob += midJob ? 1 : 0;
                leftPartialOrRedundant += newPartial.Count > 0 || state.UnmarkedRedundant.Count > 0 ? 1 : 0;
                string line = $"kill {k + 1} at {moment}: {newPartial.Count} new partial, {newEmpty.Count} new empty block dir, " +
                    $"{state.UnmarkedRedundant.Count} unmarked redundant, {state.HalfMarked.Count} marked in the block dir only, " +
                    $"job scratch {(scratch ? "present" : "absent")}, {state.Live.Count} live blocks";
                kills.Add(line);
                _output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: {line}");
                compactor.Dispose();
                compactor = null;

                // After each kill: the same exact answer, and nothing wrong seen by the loop meanwhile.
                await AssertExactAsync(reader, data, tenantDir, seed, $"after kill {k + 1}", queries);
            }

            // The sixth start runs to the end.
            compactor = StartCompactor(bucket, compactorData);
            List<BucketBlock> live = [];
            await Poll.UntilAsync(
                () =>
                {
                    AssertRunning(compactor, seed);
                    live = Inspect(tenantDir, replicas).Live;
                    return Task.FromResult(FinalStateDifference(live, replicas));
                },
                s_generous,
                $"seed {seed}: the end state (live blocks not overlapping, holding every replica as a source, merged into one 12h block)");
            _output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: end state: " + string.Join("; ", live.Select(b => b.ToString())));

            var end = Inspect(tenantDir, replicas);
            Assert.True(end.HalfMarked.Count == 0, $"seed {seed}: blocks marked in their directory only: {string.Join(",", end.HalfMarked)}");

            // The reader's cleanup deletes every partial upload the kills left (10s after its last write).
            await Poll.UntilAsync(
                () =>
                {
                    var partial = Inspect(tenantDir, replicas).Partial;
                    return Task.FromResult(partial.Count == 0 ? null : "partial block dirs: " + string.Join(", ", partial.Select(p => $"{p} holding [{string.Join(" ", Contents(Path.Combine(tenantDir, p)))}]")));
                },
                s_generous,
                $"seed {seed}: every partial block deleted");
            await AssertExactAsync(reader, data, tenantDir, seed, "after the run", queries);
            await stopQueries.CancelAsync();
            string? during = await queries;
            Assert.True(during is null, $"seed {seed}: during the run: {during}");

            // The kills must have hit the run where it matters; detected right after each kill, before the restart.
            string tmp = Path.Combine(bucket, ".mc~tmp");
            string report = $"seed {seed}: {hitMidJob} of {Kills} kills hit mid-job; {_queryRounds} query rounds during the run, " +
                $"{_raceRetries} retries of the consistency-check race; {(Directory.Exists(tmp) ? Directory.GetFiles(tmp).Length : 0)} " +
                $"object uploads cut short left in the bucket's temp dir, {Inspect(tenantDir, replicas).Empty.Count} empty block dirs left (listed by nobody):\n" + string.Join("\n", kills);
            _output.WriteLine(report);
            Assert.True(leftPartialOrRedundant > 0, $"no kill left a partial block or an unmarked redundant block; {report}");
            Assert.True(await CompactionsAsync(reader) is 0.0, $"seed {seed}: the reader's compactor compacted (or exports no count)");

            // After: a querier that ignores deletion-marked blocks at once reads only the end state's block, which
            // alone must hold every sample exactly once.
            await using var fresh = await MetricsClusterProcess.StartAsync(ReaderArgs(bucket, ignoreDeletionMarksDelay: "0s"));
            string raw = string.Empty;
            await Poll.UntilAsync(
                async () =>
                {
                    (int status, raw) = await StoreGatewayReads.QueryRawAsync(_http, fresh, Tenant, data);
                    return status == 200 ? null : $"{status}: {StoreGatewayReads.Shorten(raw)}";
                },
                s_generous,
                $"seed {seed}: a querier ignoring marked blocks answering");
            Assert.Null(RawDifference(raw, data, group: null));
            _output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: after: exact from the final block alone");
        }
        finally
        {
            await stopQueries.CancelAsync();
            if (queries is not null)
            {
                // Waits for the loop without rethrowing its failure over the one being reported.
                await Task.WhenAny(queries);
            }

            compactor?.Dispose();
            Directory.Delete(work, recursive: true);
        }
    }

    private static string[] ReaderArgs(string bucket, string? ignoreDeletionMarksDelay) =>
    [
        "--blocks-storage.filesystem.dir=" + bucket,
        "--querier.query-store-after=0s",
        "--blocks-storage.bucket-store.sync-interval=1s",
        "--compactor.cleanup-interval=1s",
        "--compactor.partial-block-deletion-delay=10s",
        "--compactor.block-ranges=2h",
        "--compactor.first-level-compaction-wait-period=1000h",
        "--compactor.compaction-interval=1h",
        .. ignoreDeletionMarksDelay is null ? Array.Empty<string>() : ["--blocks-storage.bucket-store.ignore-deletion-marks-delay=" + ignoreDeletionMarksDelay],
    ];

    /// <summary>The compactor under test, with the default ranges (2h, 12h, 24h), no first-level wait and a run every second.</summary>
    private static ChildProcess StartCompactor(string bucket, string dataDir) =>
        ChildProcess.Start("dotnet", [
            Repo.BinaryDll,
            "--target=compactor",
            "--server.http-listen-address=127.0.0.1",
            $"--server.http-listen-port={Repo.FreePort()}",
            $"--data.dir={dataDir}",
            "--blocks-storage.filesystem.dir=" + bucket,
            "--compactor.compaction-interval=1s",
            "--compactor.first-level-compaction-wait-period=0s",
        ]);

    /// <summary>
    /// The data as promtool's 2h blocks, each copied three times as replicas with fresh ULIDs (meta.json's ulid and
    /// compaction.sources rewritten, a Thanos section added), renamed into the bucket whole.
    /// </summary>
    private static async Task<List<string>> MakeReplicaBlocksAsync(PastSeries data, string work, string tenantDir, Random random)
    {
        string blocksDir = Path.Combine(work, "promtool");
        string om = Path.Combine(work, "data.om");
        await File.WriteAllTextAsync(om, data.OpenMetrics());
        using (var promtool = ChildProcess.Start(Repo.RequireBinary("promtool"), ["tsdb", "create-blocks-from", "openmetrics", om, blocksDir]))
        {
            Assert.True(await promtool.WaitForExitAsync(TimeSpan.FromMinutes(2)) == 0, promtool.Output);
        }

        File.Delete(om);
        var blocks = BlockDirs.Complete(blocksDir);
        Assert.Equal(6, blocks.Count);

        // Staged next to the bucket (same file system, outside it: a directory at the bucket's root is a tenant).
        string staging = Path.Combine(work, "staging");
        Directory.CreateDirectory(tenantDir);
        var ids = new List<string>();
        foreach (string b in blocks)
        {
            for (int r = 0; r < ReplicasPerBlock; r++)
            {
                string id = NewUlid(random);
                string staged = Path.Combine(staging, id);
                BlockDirs.Copy(Path.Combine(blocksDir, b), staged);
                string metaPath = Path.Combine(staged, "meta.json");
                var meta = JsonNode.Parse(await File.ReadAllTextAsync(metaPath))!.AsObject();
                meta["ulid"] = id;
                meta["compaction"]!["sources"] = new JsonArray(id);
                await File.WriteAllTextAsync(metaPath, meta.ToJsonString());
                ThanosSection.Add(staged, Tenant, "promtool");
                Directory.Move(staged, Path.Combine(tenantDir, id));
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>A ULID (Crockford base32 of 48 bits of Unix milliseconds and 80 random bits) from the seeded random.</summary>
    private static string NewUlid(Random random)
    {
        const string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        var value = ((UInt128)(ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 80)
            | ((UInt128)(ulong)random.NextInt64() << 16) | (UInt128)(uint)random.Next(1 << 16);
        Span<char> chars = stackalloc char[26];
        for (int i = 25; i >= 0; i--)
        {
            chars[i] = alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }

    /// <summary>
    /// Waits for the kill moment and kills: the <paramref name="nth"/> new block dir, meta.json or global deletion
    /// mark since <paramref name="known"/>, or <paramref name="delayMs"/> after the start. Changes are seen through
    /// inotify and the compactor is SIGKILLed from the event handler, within a millisecond or so of the change (an
    /// upload of a block takes longer); a poll of the bucket every few milliseconds backs the watcher up. A run that
    /// reaches its final state first is killed anyway, and the kill is reported as after the run.
    /// </summary>
    private static async Task<string> KillAtMomentAsync(KillAt kind, int nth, int delayMs, Snapshot known, string tenantDir, List<string> replicas, ChildProcess compactor, int seed)
    {
        using var trigger = new KillTrigger(kind, nth, known, tenantDir, compactor.Pid);
        var started = Stopwatch.StartNew();
        var lastEndStateCheck = TimeSpan.Zero;
        string? moment = null;
        while (moment is null)
        {
            if (trigger.Fired)
            {
                moment = $"new {kind} #{nth} (watcher)";
                break;
            }

            AssertRunning(compactor, seed);
            if (kind == KillAt.Delay)
            {
                moment = started.ElapsedMilliseconds >= delayMs ? $"{delayMs} ms" : null;
            }
            else if (Fresh(kind, known, TakeSnapshot(tenantDir), tenantDir) >= nth)
            {
                moment = $"new {kind} #{nth} (poll)";
            }

            // Reading every meta.json is slower than the listing: at most every 100 ms.
            if (moment is null && started.Elapsed - lastEndStateCheck > TimeSpan.FromMilliseconds(100))
            {
                lastEndStateCheck = started.Elapsed;
                if (FinalStateDifference(Inspect(tenantDir, replicas).Live, replicas) is null)
                {
                    moment = $"{kind} (#{nth}, {delayMs} ms) after the run ended";
                }
            }

            if (moment is null && started.Elapsed > s_generous)
            {
                throw new TimeoutException($"seed {seed}: no {kind} within {s_generous} and no end state either:\n{compactor.Output}");
            }

            if (moment is null)
            {
                // Polling another process's writes to the bucket; the watcher does the fast kills.
                await Task.Delay(2);
            }
        }

        trigger.Kill();
        compactor.Kill9();
        return $"{moment} after {started.Elapsed.TotalSeconds:F2}s";
    }

    private static int Fresh(KillAt kind, Snapshot known, Snapshot now, string tenantDir) => kind switch
    {
        KillAt.NewBlockDir => now.Dirs.Except(known.Dirs).Count(),
        KillAt.NewBlockFile => now.Dirs.Except(known.Dirs).Count(d => HoldsFile(Path.Combine(tenantDir, d), IsBlockFile)),
        KillAt.NewMetaJson => now.Metas.Except(known.Metas).Count(),
        KillAt.NewDeletionMark => now.Marks.Except(known.Marks).Count(),
        _ => 0,
    };

    /// <summary>Every file and directory under <paramref name="dir"/>, relative, for failure messages.</summary>
    private static IEnumerable<string> Contents(string dir) =>
        Directory.Exists(dir) ? Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(e => Path.GetRelativePath(dir, e)) : [];

    private static HashSet<string> JobDirs(string compactorData)
    {
        string scratch = Path.Combine(compactorData, "compactor");
        return Directory.Exists(scratch) ? Directory.GetDirectories(scratch, "job-*").ToHashSet() : [];
    }

    private static void AssertRunning(ChildProcess compactor, int seed)
    {
        if (compactor.HasExited)
        {
            throw new InvalidOperationException($"seed {seed}: the compactor exited with {compactor.ExitCode}:\n{compactor.Output}");
        }
    }

    /// <summary>
    /// Null in the final state of this data (default ranges, one complete 12h range): one block of level 3 whose
    /// sources are exactly the replicas; else why not.
    /// </summary>
    private static string? FinalStateDifference(List<BucketBlock> live, List<string> replicas) =>
        EndStateDifference(live, replicas) ?? (live is [{ Level: 3 }] ? null : "live blocks: " + string.Join("; ", live.Select(b => b.ToString())));

    /// <summary>Null when the live blocks do not overlap and their sources are exactly the replicas, else why not.</summary>
    private static string? EndStateDifference(List<BucketBlock> live, List<string> replicas)
    {
        var sorted = live.OrderBy(b => b.MinTime).ToList();
        bool overlap = BucketBlocks.Overlapping(live);
        bool sources = live.SelectMany(b => b.Sources).ToHashSet().SetEquals(replicas) && live.Sum(b => b.Sources.Count) == replicas.Count;
        return !overlap && sources ? null : "live blocks: " + string.Join("; ", sorted.Select(b => b.ToString()));
    }

    /// <summary>The tenant's block dirs, complete blocks and global deletion marks, by name.</summary>
    private static Snapshot TakeSnapshot(string tenantDir)
    {
        var dirs = Directory.GetDirectories(tenantDir).Select(Path.GetFileName).Where(n => n!.Length == 26).Select(n => n!).ToHashSet();
        var metas = dirs.Where(d => File.Exists(Path.Combine(tenantDir, d, "meta.json"))).ToHashSet();
        string markers = Path.Combine(tenantDir, "markers");
        var marks = Directory.Exists(markers) ? Directory.GetFiles(markers).Select(f => Path.GetFileName(f)!).ToHashSet() : [];
        return new Snapshot(dirs, metas, marks);
    }

    private static bool HoldsFile(string dir, Func<string, bool> which)
    {
        try
        {
            return Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Any(which);
        }
        catch (DirectoryNotFoundException)
        {
            return false; // Deleted meanwhile (a partial block the cleanup removed).
        }
    }

    /// <summary>A block's own file (chunks, index, meta.json), not a mark the cleanup writes into a partial block.</summary>
    private static bool IsBlockFile(string path) => Path.GetFileName(path) is not ("deletion-mark.json" or "no-compact-mark.json");

    /// <summary>
    /// The bucket as the crash left it: partial blocks (a dir holding files but no meta.json), empty block dirs (an
    /// upload killed between creating the dir and renaming its first file in), live blocks (complete, no global
    /// deletion mark), live blocks whose sources another live block holds (a job that uploaded but did not mark),
    /// and blocks whose deletion mark is in their directory but not under markers/ (marking cut in between).
    /// </summary>
    private static BucketState Inspect(string tenantDir, List<string> replicas)
    {
        var snapshot = TakeSnapshot(tenantDir);
        var incomplete = snapshot.Dirs.Except(snapshot.Metas).Except(replicas).Order(StringComparer.Ordinal).ToList();

        // A dir holding no file is no partial block: no object is in it, and the bucket does not list it.
        var partial = incomplete.Where(d => HoldsFile(Path.Combine(tenantDir, d), _ => true)).ToList();
        var live = new List<BucketBlock>();
        var halfMarked = new List<string>();
        foreach (string id in snapshot.Metas)
        {
            bool globalMark = snapshot.Marks.Contains(id + "-deletion-mark.json");
            if (!globalMark && File.Exists(Path.Combine(tenantDir, id, "deletion-mark.json")))
            {
                halfMarked.Add(id);
            }

            if (!globalMark && BucketBlocks.Read(Path.Combine(tenantDir, id)) is { } info)
            {
                live.Add(info);
            }
        }

        var redundant = live.Where(b => live.Any(o => o != b && b.Sources.IsSubsetOf(o.Sources) && o.Sources.Count > b.Sources.Count)).Select(b => b.Id).ToList();
        return new BucketState(partial, [.. incomplete.Except(partial)], live, redundant, halfMarked);
    }

    /// <summary>
    /// During the run, one query after another: per-series count and sum of every sample over the whole range (a
    /// sample lost or counted twice changes both), and the raw samples of one fifth of the series in turn. Returns the
    /// first wrong answer, or null when stopped.
    /// </summary>
    private async Task<string?> QueryContinuouslyAsync(MetricsClusterProcess reader, PastSeries data, string tenantDir, CancellationToken stop)
    {
        int round = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                string? wrong = await CheckAsync(reader, data, tenantDir, $"count_over_time({Metric}[{WindowSeconds(data)}s])", raw => CountOrSumDifference(raw, data, sum: false), stop)
                    ?? await CheckAsync(reader, data, tenantDir, $"sum_over_time({Metric}[{WindowSeconds(data)}s])", raw => CountOrSumDifference(raw, data, sum: true), stop)
                    ?? await CheckAsync(reader, data, tenantDir, $"{Metric}{{g=\"{round % 5}\"}}[{WindowSeconds(data)}s]", raw => RawDifference(raw, data, round % 5), stop);
                if (wrong is not null)
                {
                    return $"round {round}: {wrong}";
                }

                round++;
                Interlocked.Increment(ref _queryRounds);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        return null;
    }

    private async Task AssertExactAsync(MetricsClusterProcess reader, PastSeries data, string tenantDir, int seed, string when, Task<string?> queries)
    {
        string? wrong = await FullDifferenceAsync(reader, data, tenantDir);
        Assert.True(wrong is null, $"seed {seed}: {when}: {wrong}");
        if (queries.IsCompleted)
        {
            Assert.Fail($"seed {seed}: {when}: the query loop stopped: {await queries}");
        }
    }

    private Task<string?> FullDifferenceAsync(MetricsClusterProcess reader, PastSeries data, string? tenantDir = null) =>
        CheckAsync(reader, data, tenantDir, $"{Metric}[{WindowSeconds(data)}s]", raw => RawDifference(raw, data, group: null), CancellationToken.None);

    /// <summary>
    /// One instant query at the last sample's time; null when <paramref name="difference"/> finds the answer exact.
    /// A 500 is retried only for the documented store-consistency-check race (<see cref="RetryableRace"/>); any
    /// other error or wrong answer is returned at once. Without <paramref name="tenantDir"/> nothing is retried.
    /// </summary>
    private async Task<string?> CheckAsync(MetricsClusterProcess reader, PastSeries data, string? tenantDir, string query, Func<string, string?> difference, CancellationToken stop)
    {
        var deadline = DateTime.UtcNow + s_raceRetry;
        while (true)
        {
            var (status, _, raw) = await QueryApi.GetAsync(
                _http,
                reader.BaseUri,
                FormattableString.Invariant($"/prometheus/api/v1/query?query={Uri.EscapeDataString(query)}&time={data.EndMs / 1000}"),
                Tenant);
            if (status == 200)
            {
                return difference(raw) is { } d ? $"{query}: {d}" : null;
            }

            if (tenantDir is null || !RetryableRace(raw, tenantDir) || DateTime.UtcNow > deadline)
            {
                return $"{query}: {status}: {StoreGatewayReads.Shorten(raw)}";
            }

            // The store-gateway loads the new block within its next sync; asking again is what a client would do.
            Interlocked.Increment(ref _raceRetries);
            await Task.Delay(200, stop);
        }
    }

    /// <summary>
    /// The documented race (docs/store-gateway.md, "Which blocks, and the consistency check"): the querier exempts a
    /// block from the consistency check only for 3 sync intervals after its upload (3s here), assuming the
    /// store-gateway loaded it by then. On this shared 2-core machine the store-gateway can be later, and the query
    /// fails with err-mimir-store-consistency-check-failed naming the new block. That is retried, but only when every
    /// block named is a block the compactor made (never a replica, which the store-gateway serves from the start)
    /// uploaded less than 30s ago; a failure naming anything else is a real failure.
    /// </summary>
    private static bool RetryableRace(string raw, string tenantDir)
    {
        if (!raw.Contains("err-mimir-store-consistency-check-failed", StringComparison.Ordinal))
        {
            return false;
        }

        var failed = StoreGatewayReads.FailedBlocks(raw);
        return failed.Count > 0 && failed.All(id =>
        {
            var meta = new FileInfo(Path.Combine(tenantDir, id, "meta.json"));
            return meta.Exists && BucketBlocks.Read(Path.Combine(tenantDir, id)) is { Level: > 1 } && DateTime.UtcNow - meta.LastWriteTimeUtc < TimeSpan.FromSeconds(30);
        });
    }

    private static long WindowSeconds(PastSeries data) => ((data.EndMs - data.StartMs) / 1000) + 60;

    /// <summary>Every sample of every series (or of the series with <c>s % 5 == group</c>) exactly once, else the first difference.</summary>
    private static string? RawDifference(string raw, PastSeries data, int? group)
    {
        using var json = JsonDocument.Parse(raw);
        var seen = new HashSet<int>();
        foreach (var series in json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            int s = int.Parse(series.GetProperty("metric").GetProperty("s").GetString()!, CultureInfo.InvariantCulture);
            if (!seen.Add(s) || (group is { } g && s % 5 != g))
            {
                return $"unexpected or duplicate series s={s}";
            }

            int i = 0;
            foreach (var v in series.GetProperty("values").EnumerateArray())
            {
                long t = (long)Math.Round(v[0].GetDouble() * 1000);
                double value = double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture);
                if (i >= data.Points || t != data.StartMs + (i * data.StepMs) || value != PastSeries.Value(s, i))
                {
                    return FormattableString.Invariant($"series s={s} sample {i}: ({t}, {value}); want {data.Points} samples from {data.StartMs} every {data.StepMs}");
                }

                i++;
            }

            if (i != data.Points)
            {
                return $"series s={s}: {i} samples, want {data.Points}";
            }
        }

        int want = group is null ? data.SeriesCount : Enumerable.Range(0, data.SeriesCount).Count(s => s % 5 == group);
        return seen.Count == want ? null : $"{seen.Count} series, want {want}";
    }

    /// <summary>count_over_time or sum_over_time of every series over the whole range, compared exactly.</summary>
    private static string? CountOrSumDifference(string raw, PastSeries data, bool sum)
    {
        using var json = JsonDocument.Parse(raw);
        var seen = new HashSet<int>();
        foreach (var series in json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            int s = int.Parse(series.GetProperty("metric").GetProperty("s").GetString()!, CultureInfo.InvariantCulture);
            double got = double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);

            // Every partial sum is a multiple of 0.5 far below 2^52, so the sum is exact in any order.
            double want = sum ? (data.Points * s * 10_000.0) + (0.5 * data.Points * (data.Points - 1) / 2) : data.Points;
            if (!seen.Add(s) || got != want)
            {
                return FormattableString.Invariant($"series s={s}: {got}, want {want}");
            }
        }

        return seen.Count == data.SeriesCount ? null : $"{seen.Count} series, want {data.SeriesCount}";
    }

    /// <summary>The reader's count of compaction jobs that uploaded a block; null when it exports none.</summary>
    private async Task<double?> CompactionsAsync(MetricsClusterProcess reader)
    {
        string text = await _http.GetStringAsync(new Uri(reader.BaseUri, "/metrics"));
        var lines = text.Split('\n').Where(l => l.StartsWith("metricscluster_compactor_compactions_total", StringComparison.Ordinal)).ToList();
        return lines.Count == 0 ? null : lines.Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Watches the tenant's bucket dir (inotify) and SIGKILLs the compactor from the event handler at the
    /// <c>nth</c> new block dir, meta.json or global deletion mark: no polling delay between the change and the kill.
    /// Uploads rename files in from the bucket's temp dir, which inotify reports as created.
    /// </summary>
    private sealed record BucketState(List<string> Partial, List<string> Empty, List<BucketBlock> Live, List<string> UnmarkedRedundant, List<string> HalfMarked);
}
