using System.Globalization;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Core.Storage;
using MetricsCluster.Querier;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Tests.Block;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Ingester.Tests;

/// <summary>Head compaction in the ingester: aligned blocks, head truncation, WAL checkpoint, merged reads, restart, flush.</summary>
public sealed class HeadCompactorTests : IDisposable
{
    internal const long Hour = 60 * 60 * 1000;
    internal const long Range = 2 * Hour;
    private const long Step = 60_000;
    internal const string Tenant = "team-a";

    // Aligned to the block range so the expected windows are whole multiples of it.
    internal const long T0 = 100 * Range;
    private static readonly string[] s_jobs = ["api", "db", "web"];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ingester-compact-" + Guid.NewGuid().ToString("N"));

    private string TenantDir => Path.Combine(_dir, Tenant);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Seven_hours_are_cut_into_aligned_two_hour_blocks_and_the_head_is_truncated()
    {
        using var ing = await Start();
        await PushRange(ing, T0, T0 + (7 * Hour));

        Assert.Equal(2, await ing.CompactHeadsAsync(force: false, null, default));
        Assert.Equal(0, await ing.CompactHeadsAsync(force: false, null, default));

        var blocks = BlockDirs();
        Assert.Equal([(T0, T0 + Range), (T0 + Range, T0 + (2 * Range))], blocks.Select(b => (b.Meta.MinTime, b.Meta.MaxTime)));
        foreach (var (dir, meta) in blocks)
        {
            Assert.Equal(Tenant, meta.Thanos!.Labels["__org_id__"]);
            Assert.Equal(Expected(meta.MinTime, meta.MaxTime), ReadBlock(dir, meta));
        }

        var db = Assert.Single(ing.OpenTenants);
        Assert.Equal(T0 + (2 * Range), db.Head.MinTime);
        Assert.Equal(T0 + (2 * Range), db.Head.MinValidTime);
        Assert.Empty(db.Head.Select(T0, T0 + (2 * Range) - 1, false, [All]));
        Assert.Single(Directory.GetDirectories(Path.Combine(TenantDir, "wal"), "checkpoint.*"));

        Assert.Equal(Expected(T0, T0 + (7 * Hour)), await QueryAll(ing));
    }

    [Fact]
    public async Task A_restart_after_compaction_neither_loses_nor_duplicates_samples()
    {
        using (var ing = await Start())
        {
            await PushRange(ing, T0, T0 + (7 * Hour));
            await ing.CompactHeadsAsync(force: false, null, default);
            await PushRange(ing, T0 + (7 * Hour), T0 + (8 * Hour));
            await ing.StopAsync(default);
        }

        using var again = await Start();
        Assert.Equal(Expected(T0, T0 + (8 * Hour)), await QueryAll(again));
        Assert.Equal(2, again.OpenTenants.Single().Blocks.Count);
    }

    [Fact]
    public async Task A_crash_between_block_rename_and_wal_checkpoint_does_not_duplicate_samples()
    {
        using (var ing = await Start())
        {
            await PushRange(ing, T0, T0 + (7 * Hour));
            await ing.StopAsync(default);
        }

        // The WAL as it was before compaction: the state a crash right after the block's rename leaves behind.
        string wal = Path.Combine(TenantDir, "wal");
        string saved = Path.Combine(_dir, "saved-wal");
        CopyDirectory(wal, saved);
        using (var ing = await Start())
        {
            Assert.Equal(2, await ing.CompactHeadsAsync(force: false, null, default));
            await ing.StopAsync(default);
        }

        Directory.Delete(wal, recursive: true);
        Directory.Move(saved, wal);

        // A block that never got renamed is garbage and is removed at start.
        string unfinished = Path.Combine(TenantDir, Ulid.New(T0).ToString() + BlockWriter.TmpSuffix);
        Directory.CreateDirectory(unfinished);

        using var again = await Start();
        Assert.False(Directory.Exists(unfinished));
        Assert.Equal(Expected(T0, T0 + (7 * Hour)), await QueryAll(again));
        Assert.True(again.OpenTenants.Single().Replay.InBlockSamples > 0);
    }

    [Fact]
    public async Task Flush_cuts_everything_and_promtool_dumps_exactly_the_block_samples()
    {
        long end = T0 + (7 * Hour);
        using (var ing = await Start())
        {
            await PushRange(ing, T0, end);
            Assert.Equal(4, await ing.CompactHeadsAsync(force: true, [Tenant], default));
            var db = ing.OpenTenants.Single();
            Assert.Equal(0, db.Head.NumSeries);
            Assert.Equal(Expected(T0, end), await QueryAll(ing));

            // The head accepts nothing older than what the flush cut.
            using var b = Batch(end - Step);
            var r = await ing.PushAsync(Tenant, b, default);
            Assert.NotNull(r.FirstError);
            await ing.StopAsync(default);
        }

        var blocks = BlockDirs();
        Assert.Equal([(T0, T0 + Range), (T0 + Range, T0 + (2 * Range)), (T0 + (2 * Range), T0 + (3 * Range)), (T0 + (3 * Range), end - Step + 1)], blocks.Select(b => (b.Meta.MinTime, b.Meta.MaxTime)));

        string dump = PromtoolRunner.Run("tsdb", "dump", TenantDir);
        var expected = Expected(T0, end).Select(s => $"{s.Labels} {s.V.ToString(CultureInfo.InvariantCulture)} {s.T}");

        var lines = dump.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_flush_that_failed_to_write_its_block_leaves_the_head_as_it_was_and_the_next_flush_cuts_it()
    {
        long end = T0 + Hour;
        using var ing = await Start();
        await PushRange(ing, T0, end);
        var write = ing.Compactor.WriteBlock;
        ing.Compactor.WriteBlock = (dir, ulid, series, options) =>
        {
            // The latest a write can fail: the block is renamed into place, then the parent's fsync fails.
            write(dir, ulid, series, options);
            throw new IOException("No space left on device");
        };
        await Assert.ThrowsAnyAsync<IOException>(() => ing.CompactHeadsAsync(force: true, null, default));

        var db = ing.OpenTenants.Single();
        Assert.Equal(long.MinValue, db.Head.MinValidTime);
        Assert.Empty(db.Blocks);
        Assert.Empty(BlockDirs());

        // Samples the failed window covered are still accepted, and the next flush cuts everything.
        using (var late = Batch(end - Step))
        {
            Assert.Null((await ing.PushAsync(Tenant, late, default)).FirstError);
        }

        ing.Compactor.WriteBlock = write;
        Assert.Equal(1, await ing.CompactHeadsAsync(force: true, null, default));
        Assert.Equal([(T0, end - Step + 1)], BlockDirs().Select(b => (b.Meta.MinTime, b.Meta.MaxTime)));
        Assert.Equal(Expected(T0, end), await QueryAll(ing));
    }

    private static Matcher All => new(MatcherType.Regex, "__name__", ".+");

    private static Labels SeriesLabels(string job) => Labels.FromStrings("__name__", "up", "job", job);

    private static double Value(int job, long t) => ((t - T0) / Step) + (job * 0.25);

    /// <summary>The samples pushed in [from, to) as (Prometheus text form of the labels, t, v), series sorted, then by time.</summary>
    private static List<(string Labels, long T, double V)> Expected(long from, long to)
    {
        var result = new List<(string, long, double)>();
        for (int j = 0; j < s_jobs.Length; j++)
        {
            for (long t = T0; t < T0 + (8 * Hour); t += Step)
            {
                if (t >= from && t < to)
                {
                    result.Add((SeriesLabels(s_jobs[j]).ToString(), t, Value(j, t)));
                }
            }
        }

        return result;
    }

    private static PushBatch Batch(long t)
    {
        var b = new PushBatch();
        for (int j = 0; j < s_jobs.Length; j++)
        {
            var l = SeriesLabels(s_jobs[j]);
            b.AddSeries(l.Bytes, l.Hash);
            b.AddSample(t, Value(j, t));
        }

        return b;
    }

    internal static async Task PushRange(Ingester ing, long from, long to)
    {
        for (long t = from; t < to; t += Step)
        {
            using var b = Batch(t);
            var r = await ing.PushAsync(Tenant, b, default);
            Assert.Null(r.FirstError);
        }
    }

    private static async Task<List<(string Labels, long T, double V)>> QueryAll(Ingester ing)
    {
        var result = new List<(string, long, double)>();
        await using var q = new IngesterQueryable(ing).Querier(Tenant, long.MinValue, long.MaxValue);
        await foreach (var s in q.SelectAsync(true, null, [All], default))
        {
            AddSamples(s, result);
        }

        return result;
    }

    private static void AddSamples(ISeries s, List<(string Labels, long T, double V)> into)
    {
        string labels = s.Labels.ToString();
        var it = s.Iterator(null);
        while (it.Next())
        {
            into.Add((labels, it.T, it.V));
        }

        Assert.Null(it.Error);
    }

    private static List<(string Labels, long T, double V)> ReadBlock(string dir, BlockMeta meta)
    {
        using var reader = BlockReader.Open(dir);
        var result = new List<(string, long, double)>();
        foreach (var s in reader.Querier(meta.MinTime, meta.MaxTime - 1).Select([All]))
        {
            AddSamples(s, result);
        }

        return result;
    }

    private List<(string Dir, BlockMeta Meta)> BlockDirs() =>
        [.. Directory.GetDirectories(TenantDir)
            .Where(d => Ulid.TryParse(Path.GetFileName(d), out _))
            .Select(d => (d, BlockMeta.ReadFrom(d)))
            .OrderBy(b => b.Item2.MinTime)];

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from))
        {
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        }

        foreach (var d in Directory.GetDirectories(from))
        {
            CopyDirectory(d, Path.Combine(to, Path.GetFileName(d)));
        }
    }

    private async Task<Ingester> Start()
    {
        var options = new IngesterOptions { TsdbDir = _dir, WalSegmentSize = 64 * 1024, HeadCompactionInterval = TimeSpan.Zero };
        var ing = new Ingester(options, new StaticOverrides(new Limits()), new MetricsRegistry(), NullLogger<Ingester>.Instance);
        await ing.StartAsync(default);
        return ing;
    }
}
