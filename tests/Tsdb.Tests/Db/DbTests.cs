using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;
using MetricsCluster.Tsdb.Db;
using MetricsCluster.Tsdb.Tests.Block;
using MetricsCluster.Tsdb.Tests.Head;
using Xunit;
using static MetricsCluster.Tsdb.Tests.Head.TestBatch;

namespace MetricsCluster.Tsdb.Tests.Db;

/// <summary>Open, replay, head compaction, retention and merged reads of <see cref="Tsdb.Db.Db"/>.</summary>
public sealed class DbTests : IDisposable
{
    private const long Hour = 3_600_000;
    private const long Step = 60_000;
    private readonly BlockTestDir _dir = new();
    private readonly DbOptions _options = new() { BlockRangeMs = 2 * Hour, BlockLabels = new Dictionary<string, string> { ["__org_id__"] = "t" } };

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Head_compaction_cuts_the_oldest_window_and_reads_merge_block_and_head_once()
    {
        using var db = Tsdb.Db.Db.Open(_dir.Root, _options);
        Push(db, 0, 4 * Hour);

        var steps = db.CompactHead(force: false);

        var step = Assert.Single(steps);
        Assert.Equal((0, 2 * Hour), (step.Block!.MinTime, step.Block.MaxTime));
        Assert.Equal("t", step.Block.Thanos!.Labels["__org_id__"]);
        Assert.Null(step.WalCheckpointError);
        Assert.Equal(2 * Hour, db.Head.MinValidTime);
        Assert.Single(db.Blocks);
        Assert.Equal(Expected(0, 4 * Hour), Read(db, long.MinValue, long.MaxValue));
        Assert.Equal(Expected(Hour, 3 * Hour), Read(db, Hour, (3 * Hour) - 1));
        Assert.Equal(["a", "b"], db.LabelValues("job", long.MinValue, long.MaxValue, []));
        Assert.Equal(["__name__", "job"], db.LabelNames(0, Hour, []));
    }

    [Fact]
    public void Reopening_replays_the_wal_without_the_samples_a_block_holds_and_deletes_unfinished_blocks()
    {
        using (var db = Tsdb.Db.Db.Open(_dir.Root, _options))
        {
            Push(db, 0, 4 * Hour);
            db.CompactHead(force: false);
        }

        Directory.CreateDirectory(Path.Combine(_dir.Root, Ulid.New(TimeProvider.System) + BlockWriter.TmpSuffix));
        Directory.CreateDirectory(Path.Combine(_dir.Root, Ulid.New(TimeProvider.System) + Tsdb.Db.Db.TmpForDeletionSuffix));
        using var reopened = Tsdb.Db.Db.Open(_dir.Root, _options);

        Assert.Single(reopened.Blocks);
        Assert.DoesNotContain(Directory.EnumerateDirectories(_dir.Root), d => d.Contains(".tmp-for-", StringComparison.Ordinal));
        Assert.Equal(Expected(0, 4 * Hour), Read(reopened, long.MinValue, long.MaxValue));
    }

    [Fact]
    public void A_flush_cuts_everything_and_a_later_push_is_read_with_the_blocks()
    {
        using var db = Tsdb.Db.Db.Open(_dir.Root, _options);
        Push(db, 0, 3 * Hour);

        Assert.Equal(2, db.CompactHead(force: true).Count(s => s.Block is not null));
        Assert.Equal(0, db.Head.NumSeries);
        Push(db, 3 * Hour, 4 * Hour);

        Assert.Equal(Expected(0, 4 * Hour), Read(db, long.MinValue, long.MaxValue));
    }

    [Fact]
    public void A_failed_block_write_leaves_the_head_appendable_and_the_next_compaction_cuts_it()
    {
        var compactor = new HeadCompactor(_options.BlockRangeMs, TimeProvider.System);
        using var db = Tsdb.Db.Db.Open(_dir.Root, _options, compactor);
        Push(db, 0, Hour);
        var write = compactor.WriteBlock;
        compactor.WriteBlock = (dir, ulid, source, options) =>
        {
            write(dir, ulid, source, options);
            throw new IOException("No space left on device");
        };

        Assert.Throws<IOException>(() => db.CompactHead(force: true));
        Assert.Equal(long.MinValue, db.Head.MinValidTime);
        Assert.Empty(db.Blocks);
        Assert.DoesNotContain(Directory.EnumerateDirectories(_dir.Root), d => Ulid.TryParse(Path.GetFileName(d), out _));

        compactor.WriteBlock = write;
        Assert.Single(db.CompactHead(force: true), s => s.Block is not null);
        Assert.Equal(Expected(0, Hour), Read(db, long.MinValue, long.MaxValue));
    }

    [Fact]
    public void RemoveBlocks_hides_a_block_at_once_and_deletes_it_after_the_last_lease()
    {
        using var db = Tsdb.Db.Db.Open(_dir.Root, _options);
        Push(db, 0, 4 * Hour);
        db.CompactHead(force: false);
        var block = db.Blocks[0];
        Assert.True(block.TryAcquire());

        Assert.Equal([block.Meta.Ulid], db.RemoveBlocks(_ => true).Select(m => m.Ulid));

        Assert.Empty(db.Blocks);
        Assert.Equal(Expected(2 * Hour, 4 * Hour), Read(db, long.MinValue, long.MaxValue));
        string dir = Path.Combine(_dir.Root, block.Meta.Ulid.ToString());
        Assert.True(Directory.Exists(dir));
        block.Release();
        Assert.False(Directory.Exists(dir));
    }

    private static Labels Series(string job) => L("__name__", "up", "job", job);

    private static void Push(Tsdb.Db.Db db, long from, long to)
    {
        using var batch = Of(
            (Series("a"), Samples(from, to, 0)),
            (Series("b"), Samples(from, to, 0.5)));
        var result = new TestSink();
        db.Append(batch, result, 0);
        Assert.Null(result.FirstError);
    }

    private static (long T, double V)[] Samples(long from, long to, double offset) =>
        [.. Enumerable.Range(0, (int)((to - from) / Step)).Select(i => (from + (i * Step), ((from / Step) + i) + offset))];

    private static List<string> Expected(long from, long to) =>
        [.. new[] { ("a", 0.0), ("b", 0.5) }.Select(j => Series(j.Item1) + ":" + string.Join(";", Samples(from, to, j.Item2).Select(x => $"{x.T}={x.V}")))];

    private static List<string> Read(Tsdb.Db.Db db, long mint, long maxt)
    {
        var result = new List<string>();
        foreach (var s in db.Select(mint, maxt, labelsOnly: false, [Matcher.Eq("__name__", "up")]))
        {
            var samples = new List<string>();
            var it = new XorIterator();
            long last = long.MinValue;
            foreach (var c in s.Chunks)
            {
                it.Reset(c.Data);
                while (it.Next())
                {
                    if (it.T >= mint && it.T <= maxt && it.T > last)
                    {
                        samples.Add($"{it.T}={it.V}");
                        last = it.T;
                    }
                }
            }

            result.Add(s.Labels + ":" + string.Join(";", samples));
        }

        return result;
    }
}
