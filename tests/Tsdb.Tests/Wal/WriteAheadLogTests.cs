using MetricsCluster.Tests.Shared;
using MetricsCluster.Tsdb.Wal;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Wal;

public class WriteAheadLogTests
{
    private const int PageSize = WalTestDir.PageSize;

    [Fact]
    public void SmallRecordIsOneFullFragmentAtOffsetZero()
    {
        using var dir = new WalTestDir();
        using (var wal = dir.Open())
        {
            // CRC32C("123456789") is the well-known check value 0xE3069283.
            wal.Log("123456789"u8);
            Assert.Equal("010009E3069283313233343536373839", Convert.ToHexString(File.ReadAllBytes(dir.Segment(0))));
            Assert.Equal(16, wal.BytesWritten);
        }

        // Dispose pads the last page, as Prometheus' Close does.
        var bytes = File.ReadAllBytes(dir.Segment(0));
        Assert.Equal(PageSize, bytes.Length);
        Assert.Equal("010009E3069283313233343536373839", Convert.ToHexString(bytes, 0, 16));
        Assert.All(bytes.Skip(16), b => Assert.Equal(0, b));
    }

    // Fragment headers at page boundaries: (record sizes logged, offset, expected 7-byte header hex).
    [Theory]
    [InlineData(new[] { 32768 }, 0, "027FF9")] // First fragment fills page 0 (32761 bytes).
    [InlineData(new[] { 32768 }, 32768, "040007")] // Last fragment: the 7 remaining bytes.
    [InlineData(new[] { 32754, 10 }, 32761, "02000000000000")] // Exactly 7 bytes left: an empty first fragment.
    [InlineData(new[] { 32754, 10 }, 32768, "04000A")] // Its data follows on the next page.
    [InlineData(new[] { 32755, 10 }, 32762, "000000000000")] // 6 bytes left: zero padding.
    [InlineData(new[] { 32755, 10 }, 32768, "01000A")] // The record starts on the next page as a full fragment.
    [InlineData(new[] { 70000 }, 32768, "037FF9")] // A middle fragment fills page 1.
    public void FragmentHeadersAtPageBoundaries(int[] sizes, int offset, string expectedHex)
    {
        using var dir = new WalTestDir();
        using (var wal = dir.Open(segmentSize: 1024 * 1024))
        {
            for (int i = 0; i < sizes.Length; i++)
            {
                wal.Log(WalTestDir.Record(sizes[i], i));
            }
        }

        var bytes = File.ReadAllBytes(dir.Segment(0));
        Assert.Equal(expectedHex, Convert.ToHexString(bytes, offset, expectedHex.Length / 2));
    }

    [Fact]
    public void BytesMatchPrometheusModelAfterEveryLog()
    {
        using var dir = new WalTestDir();
        const int segmentSize = 64 * 1024;
        var model = new WalModel(segmentSize);
        var rnd = new Random(42);
        using (var wal = dir.Open(segmentSize))
        {
            for (int i = 0; i < 400; i++)
            {
                var a = WalTestDir.Record(RandomSize(rnd), i);
                var b = rnd.Next(3) == 0 ? WalTestDir.Record(RandomSize(rnd), -i) : [];
                if (i % 97 == 96)
                {
                    wal.NextSegment();
                    model.NextSegment();
                }

                wal.Log(a, b);
                model.Log(a, b);
                Assert.Equal(model.Segments.Count - 1, wal.CurrentSegment);
                Assert.Equal(model.Segments[^1].Count, new FileInfo(dir.Segment(wal.CurrentSegment)).Length);
            }
        }

        model.Close();
        for (int s = 0; s < model.Segments.Count; s++)
        {
            Assert.True(model.Segments[s].ToArray().AsSpan().SequenceEqual(File.ReadAllBytes(dir.Segment(s))), $"segment {s} differs");
        }

        Assert.Equal((0, model.Segments.Count - 1), WriteAheadLog.Segments(dir.Wal));
    }

    [Fact]
    public void RandomSizesRoundTripAcrossPagesAndSegments()
    {
        using var dir = new WalTestDir();
        var rnd = new Random(7);
        var expected = new List<byte[]>();
        using (var wal = dir.Open(64 * 1024))
        {
            for (int i = 0; i < 150; i++)
            {
                var a = WalTestDir.Record(RandomSize(rnd), i);
                if (i % 3 == 0)
                {
                    var b = WalTestDir.Record(RandomSize(rnd), 10_000 + i);
                    wal.Log(a, b);
                    expected.Add(a);
                    expected.Add(b);
                }
                else
                {
                    wal.Log(a);
                    expected.Add(a);
                }
            }
        }

        var (records, corruption) = dir.Replay();
        Assert.Null(corruption);
        Assert.Equal(expected, records);
        Assert.True(WriteAheadLog.Segments(dir.Wal).Last > 50);
    }

    [Fact]
    public void RecordLargerThanSegmentGetsItsOwnSegment()
    {
        using var dir = new WalTestDir();
        var big = WalTestDir.Record(200_000, 1);
        using (var wal = dir.Open(64 * 1024))
        {
            wal.Log(WalTestDir.Record(10, 0));
            wal.Log(big);
            Assert.Equal(1, wal.CurrentSegment);
            wal.Log(WalTestDir.Record(10, 2));
            Assert.Equal(2, wal.CurrentSegment);
        }

        Assert.True(new FileInfo(dir.Segment(1)).Length > 200_000);
        var (records, corruption) = dir.Replay();
        Assert.Null(corruption);
        Assert.Equal(3, records.Count);
        Assert.Equal(big, records[1]);
    }

    [Fact]
    public void EmptyRecordsAreSkipped()
    {
        using var dir = new WalTestDir();
        using (var wal = dir.Open())
        {
            wal.Log([]);
            wal.Log([], [1, 2]);
            wal.Log([3], []);
            Assert.Equal(9 + 8, wal.BytesWritten);
        }

        Assert.Equal(new byte[][] { [1, 2], [3] }, dir.Replay().Records);
    }

    [Fact]
    public void OpenStartsANewSegmentAfterExistingSegmentsAndCheckpoints()
    {
        using var dir = new WalTestDir();
        Assert.Equal((-1, -1), WriteAheadLog.Segments(dir.Wal));
        using (var wal = dir.Open())
        {
            Assert.Equal(0, wal.CurrentSegment);
            wal.Log([1]);
        }

        using (var wal = dir.Open())
        {
            Assert.Equal(1, wal.CurrentSegment);
            wal.Log([2]);
        }

        Assert.Equal((0, 1), WriteAheadLog.Segments(dir.Wal));
        Assert.Equal(new byte[][] { [1], [2] }, dir.Replay().Records);

        // With every segment truncated away, numbering continues after the checkpoint.
        File.Delete(dir.Segment(0));
        File.Delete(dir.Segment(1));
        Directory.CreateDirectory(Path.Combine(dir.Wal, "checkpoint.00000005"));
        using (var wal = dir.Open())
        {
            Assert.Equal(6, wal.CurrentSegment);
        }
    }

    [Fact]
    public void NextSegmentPadsAndTruncateKeepsTheCurrentSegment()
    {
        using var dir = new WalTestDir();
        using var wal = dir.Open();
        wal.Log([1, 2, 3]);
        Assert.Equal(1, wal.NextSegment());
        Assert.Equal(PageSize, new FileInfo(dir.Segment(0)).Length);
        Assert.Equal(2, wal.NextSegment());
        Assert.Equal(0, new FileInfo(dir.Segment(1)).Length);
        wal.Truncate(100);
        Assert.Equal((2, 2), WriteAheadLog.Segments(dir.Wal));
        wal.Log([4]);
        wal.Sync();
    }

    [Fact]
    public void FsyncOnEveryLogReportsEachFsync()
    {
        using var dir = new WalTestDir();
        int fsyncs = 0;
        using (var wal = dir.Open(fsyncEveryLog: true))
        {
            wal.OnFsync = d => Interlocked.Increment(ref fsyncs);
            wal.Log([1]);
            wal.Log([2], [3]);
            Assert.Equal(2, fsyncs);
            wal.Sync();
            Assert.Equal(3, fsyncs);
        }

        Assert.Equal(4, fsyncs);
    }

    [Fact]
    public void ParallelLoggersLoseNothingAndKeepPerThreadOrder()
    {
        using var dir = new WalTestDir();
        const int threads = 8, perThread = 150;
        using (var wal = dir.Open(64 * 1024))
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                var rnd = new Random(t);
                for (int i = 0; i < perThread; i++)
                {
                    var r = new byte[3 + rnd.Next(20_000)];
                    (r[0], r[1], r[2]) = ((byte)RecordType.Samples, (byte)t, (byte)i);
                    wal.Log(r);
                }
            });
        }

        var (records, corruption) = dir.Replay();
        Assert.Null(corruption);
        Assert.Equal(threads * perThread, records.Count);
        for (int t = 0; t < threads; t++)
        {
            Assert.Equal(Enumerable.Range(0, perThread).Select(i => (byte)i), records.Where(r => r[1] == t).Select(r => r[2]));
        }
    }

    [Fact]
    public void LogDoesNotAllocate()
    {
        using var dir = new WalTestDir();
        using var wal = dir.Open(segmentSize: 128 * 1024 * 1024);
        var a = WalTestDir.Record(20_000, 1);
        var b = WalTestDir.Record(40_000, 2);
        for (int i = 0; i < 100; i++)
        {
            wal.Log(a, b);
        }

        Assert.Equal(0, AllocationProbe.MinAllocated(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                wal.Log(a, b);
            }
        }));
    }

    [Fact]
    public void InvalidSegmentSizeIsRejected()
    {
        using var dir = new WalTestDir();
        var e = Assert.Throws<ArgumentException>(() => dir.Open(segmentSize: 40_000));
        Assert.Contains("wal-segment-size", e.Message);
    }

    private static int RandomSize(Random rnd) => rnd.Next(4) switch
    {
        0 => 1 + rnd.Next(100),
        1 => 1 + rnd.Next(40_000),
        2 => 1 + rnd.Next(70_000),
        _ => 1 + rnd.Next(200_000),
    };
}
