using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Block.Compaction;
using MetricsCluster.Tsdb.Head;
using MetricsCluster.Tsdb.Tests.Block;
using MetricsCluster.Tsdb.Tests.Head;
using Xunit;
using static MetricsCluster.Tsdb.Tests.Head.TestBatch;

namespace MetricsCluster.Tsdb.Tests;

/// <summary>The head (<see cref="RangeHead"/>) and a block (<see cref="BlockReader"/>) through the one <see cref="IBlockReader"/> interface.</summary>
public sealed class BlockReaderTests : IDisposable
{
    private const long Hour = 3_600_000;
    private readonly BlockTestDir _dir = new();
    private readonly Tsdb.Head.Head _head = new(new HeadOptions(), wal: null);

    public BlockReaderTests()
    {
        // Three series over two hours at 30 s, one of them only in the first half hour, plus a stale marker.
        var full = Enumerable.Range(0, 240).Select(i => (T: i * 30_000L, V: Math.Sin(i))).ToArray();
        full[100] = (full[100].T, BitConverter.Int64BitsToDouble(0x7ff0000000000002));
        using var batch = Of(
            (L("__name__", "up", "job", "a"), full),
            (L("__name__", "up", "job", "b"), full[..60]),
            (L("__name__", "rate", "job", "a", "zone", "z1"), full));
        _head.Append(batch, new TestSink(), 0);
    }

    public void Dispose()
    {
        _head.Dispose();
        _dir.Dispose();
    }

    [Theory]
    [InlineData(long.MinValue, long.MaxValue)]
    [InlineData(0, (2 * Hour) - 1)]
    [InlineData(Hour, (2 * Hour) - 1)]
    [InlineData(1_000_000, 1_000_000)]
    public void Head_and_the_block_cut_from_it_answer_the_same_series_and_samples(long mint, long maxt)
    {
        using var block = WriteBlock();
        foreach (var matchers in new[] { Array.Empty<Matcher>(), [Matcher.Eq("__name__", "up")], [Matcher.Eq("job", "a")] })
        {
            var fromHead = BlockReaders.Select(_head.Range(mint, maxt), mint, maxt, false, matchers, default);
            var fromBlock = BlockReaders.Select(block, mint, maxt, false, matchers, default);
            Assert.Equal(Flatten(fromHead, mint, maxt), Flatten(fromBlock, mint, maxt));
            Assert.Equal(
                BlockReaders.Select(_head.Range(mint, maxt), mint, maxt, true, matchers, default).Select(s => s.Labels),
                BlockReaders.Select(block, mint, maxt, true, matchers, default).Select(s => s.Labels));
        }

        IIndexReader hi = _head.Range(0, (2 * Hour) - 1).Index(), bi = ((IBlockReader)block).Index();
        Assert.Equal(bi.LabelNames([], default), hi.LabelNames([], default));
        Assert.Equal(bi.LabelValues("job", [Matcher.Eq("__name__", "up")], default), hi.LabelValues("job", [Matcher.Eq("__name__", "up")], default));
        Assert.Equal(bi.Symbols().Select(s => Convert.ToHexString(s.Span)), hi.Symbols().Select(s => Convert.ToHexString(s.Span)));
    }

    [Theory]
    [InlineData(0, 2 * Hour)]
    [InlineData(0, Hour)]
    [InlineData(Hour - 15_000, (2 * Hour) - 30_000)]
    public void Head_compaction_through_the_merger_writes_the_bytes_the_sample_writer_wrote(long mint, long maxtExclusive)
    {
        // The old head compaction: every series' samples in the window re-encoded and written by BlockWriter.
        var series = new List<ChunkedSeries>();
        foreach (var s in _head.Select(mint, maxtExclusive - 1, false, []))
        {
            var samples = Samples(s, mint, maxtExclusive - 1);
            if (samples.Length > 0)
            {
                series.Add(ChunkedSeries.FromSamples(s.Labels, samples));
            }
        }

        var ulid = Ulid.New(TimeProvider.System);
        var thanos = new ThanosMeta();
        thanos.Labels["__org_id__"] = "t";
        string oldParent = Path.Combine(_dir.Root, "old"), newParent = Path.Combine(_dir.Root, "new");
        Directory.CreateDirectory(oldParent);
        Directory.CreateDirectory(newParent);
        BlockWriter.Write(oldParent, ulid, series, new BlockWriteOptions { MinTime = mint, MaxTime = maxtExclusive, Thanos = thanos });
        var meta = BlockMerger.Write(newParent, ulid, _head.Range(mint, maxtExclusive - 1), new BlockWriteOptions { MinTime = mint, MaxTime = maxtExclusive, Thanos = thanos.Clone() });

        Assert.NotNull(meta);
        foreach (string file in new[] { "index", "meta.json", "tombstones", Path.Combine("chunks", "000001") })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(oldParent, ulid.ToString(), file)), File.ReadAllBytes(Path.Combine(newParent, ulid.ToString(), file)));
        }
    }

    [Fact]
    public void A_head_range_without_samples_writes_no_block()
    {
        Assert.Null(BlockMerger.Write(_dir.Root, Ulid.New(TimeProvider.System), _head.Range(10 * Hour, (11 * Hour) - 1), new BlockWriteOptions()));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Root));
    }

    [Fact]
    public void A_head_chunk_dropped_by_truncation_reads_as_empty()
    {
        var range = _head.Range(0, (2 * Hour) - 1);
        ulong r = range.SortedSeriesRefs([Matcher.Eq("job", "b")], default).Single();
        var metas = new List<ChunkMeta>();
        Assert.True(range.Series(r, out _, metas));
        Assert.False(range.Chunk(metas[0]).Data.IsEmpty);

        _head.Truncate(2 * Hour);
        Assert.True(range.Chunk(metas[0]).Data.IsEmpty);
        Assert.False(range.Series(r, out _, []));
    }

    private BlockReader WriteBlock()
    {
        var ulid = Ulid.New(TimeProvider.System);
        var meta = BlockMerger.Write(_dir.Root, ulid, _head.Range(0, (2 * Hour) - 1), new BlockWriteOptions { MinTime = 0, MaxTime = 2 * Hour });
        return BlockReader.Open(Path.Combine(_dir.Root, ulid.ToString()), meta);
    }

    private static List<string> Flatten(List<ChunkSeries> series, long mint, long maxt) =>
        [.. series.Select(s => s.Labels + ":" + string.Join(";", Samples(s, mint, maxt).Select(x => $"{x.T}={BitConverter.DoubleToInt64Bits(x.V):x}")))];

    private static (long T, double V)[] Samples(ChunkSeries s, long mint, long maxt)
    {
        var result = new List<(long, double)>();
        var it = new Tsdb.Chunks.XorIterator();
        long last = long.MinValue;
        foreach (var c in s.Chunks)
        {
            it.Reset(c.Data);
            while (it.Next())
            {
                if (it.T >= mint && it.T <= maxt && it.T > last)
                {
                    result.Add((it.T, it.V));
                    last = it.T;
                }
            }
        }

        return [.. result];
    }
}
