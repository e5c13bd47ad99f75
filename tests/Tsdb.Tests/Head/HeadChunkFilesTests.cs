using System.Buffers.Binary;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Storage;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;
using MetricsCluster.Tsdb.Head;
using Xunit;
using static MetricsCluster.Tsdb.Tests.Head.TestBatch;

namespace MetricsCluster.Tsdb.Tests.Head;

/// <summary>Memory-mapped head chunks (chunks_head/, docs/format/head-chunks.md).</summary>
public sealed class HeadChunkFilesTests : IDisposable
{
    private const long Minute = 60_000;
    private const int SmallSegment = 64 * 1024;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "headchunks-" + Guid.NewGuid().ToString("N"));

    private string ChunksDir => Path.Combine(_dir, "chunks_head");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Closed_chunks_are_written_in_prometheus_head_chunk_format()
    {
        var samples = Enumerable.Range(0, 300).Select(i => (T: 1000L + (i * 15000L), V: i * 0.5)).ToArray();
        using var head = DiskHead(SmallSegment);
        Push(head, (L("__name__", "up"), samples));

        // Two closed chunks (120 + 120); the open one (60) stays in memory.
        byte[] file = File.ReadAllBytes(Path.Combine(ChunksDir, "000001"));
        Assert.Equal("0130BC9101000000", Convert.ToHexString(file, 0, 8));
        int pos = 8;
        for (int chunk = 0; chunk < 2; chunk++)
        {
            int start = pos;
            Assert.Equal(1UL, BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan(pos)));
            Assert.Equal(samples[chunk * 120].T, BinaryPrimitives.ReadInt64BigEndian(file.AsSpan(pos + 8)));
            Assert.Equal(samples[(chunk * 120) + 119].T, BinaryPrimitives.ReadInt64BigEndian(file.AsSpan(pos + 16)));
            Assert.Equal(ChunkEncoding.Xor, file[pos + 24]);
            pos += 25;
            int len = file[pos] | ((file[pos + 1] & 0x7F) << 7);
            pos += (file[pos] & 0x80) != 0 ? 2 : 1;
            var data = file.AsSpan(pos, len).ToArray();
            pos += len;
            Assert.Equal(Crc32C.Compute(file.AsSpan(start, pos - start)), BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos)));
            pos += 4;
            Assert.Equal(samples.Skip(chunk * 120).Take(120), Decode(data));
        }

        // Nothing but the tail the size cap preallocated (zeros) follows.
        Assert.All(file.Skip(pos), b => Assert.Equal(0, b));
        var series = Assert.Single(head.Select(long.MinValue, long.MaxValue, false, []));
        Assert.Equal(samples, series.Chunks.SelectMany(c => Decode(c.Data.ToArray())));
    }

    [Theory]
    [InlineData(1, 1440)]
    [InlineData(40, 1440)]
    [InlineData(300, 500)]
    public void Disk_head_answers_and_snapshots_exactly_as_the_memory_head(int seriesCount, int samplesPerSeries)
    {
        using var disk = DiskHead(SmallSegment);
        using var memory = new Tsdb.Head.Head(new HeadOptions(), wal: null);
        var batch = Enumerable.Range(0, seriesCount)
            .Select(s => (L("__name__", "m", "s", s.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Enumerable.Range(0, samplesPerSeries).Select(i => ((i * 15_000L) + s, Math.Sin(i + s))).ToArray()))
            .ToArray();
        Push(disk, batch);
        Push(memory, batch);

        Assert.True(Directory.GetFiles(ChunksDir).Length >= (seriesCount * samplesPerSeries > 100_000 ? 2 : 1));
        foreach (var (mint, maxt) in new[] { (long.MinValue, long.MaxValue), (3_000_000L, 9_000_000L), (0L, 0L) })
        {
            var a = disk.Select(mint, maxt, false, [Matcher.Eq("__name__", "m")]);
            var b = memory.Select(mint, maxt, false, [Matcher.Eq("__name__", "m")]);
            Assert.Equal(b.Select(Flatten), a.Select(Flatten));
        }

        var blockA = HeadBlocks.Cut(disk, 0, 7_200_000);
        var blockB = HeadBlocks.Cut(memory, 0, 7_200_000);
        Assert.Equal(blockB.Count, blockA.Count);
        Assert.Equal(blockB.SelectMany(s => s.Chunks.Select(c => Convert.ToHexString(c.Data))), blockA.SelectMany(s => s.Chunks.Select(c => Convert.ToHexString(c.Data))));
    }

    [Fact]
    public void Truncate_deletes_the_files_whose_chunks_all_end_before_the_boundary()
    {
        const long Hour = 3_600_000;
        using var head = DiskHead(SmallSegment);
        var series = Enumerable.Range(0, 200).Select(s => L("__name__", "m", "s", s.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();

        // Four hours at 15 s, pushed in time order as a scraper would, so files fill with chunks of one period.
        for (long t = 0; t < 4 * Hour; t += 10 * Minute)
        {
            long from = t;
            Push(head, series.Select(l => (l, Enumerable.Range(0, 40).Select(i => (from + (i * 15_000L), (double)i)).ToArray())).ToArray());
        }

        string[] before = SegmentNames();
        Assert.True(before.Length >= 4, $"expected several files, got {before.Length}");
        var expected = head.Select(2 * Hour, long.MaxValue, false, []).Select(Flatten).ToList();

        head.Truncate(2 * Hour);

        string[] after = SegmentNames();
        Assert.True(after.Length < before.Length, $"no file deleted: {before.Length} before, {after.Length} after");
        Assert.DoesNotContain("000001", after);

        // What is left is consecutively numbered (Prometheus' reader requires it) and still reads back.
        var numbers = after.Select(int.Parse).ToArray();
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Length), numbers);
        Assert.Equal(expected, head.Select(2 * Hour, long.MaxValue, false, []).Select(Flatten));
        Assert.Equal(2 * Hour, HeadBlocks.Cut(head, 2 * Hour, 4 * Hour).SelectMany(s => s.Chunks).Min(c => c.MinT));

        // Truncating past everything written so far also frees the file still being written.
        head.Truncate(5 * Hour);
        Assert.Empty(SegmentNames());
    }

    [Fact]
    public async Task Queries_read_consistently_while_appends_and_truncations_run()
    {
        using var head = DiskHead(SmallSegment);
        var series = Enumerable.Range(0, 20).Select(s => L("__name__", "m", "s", s.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        using var stop = new CancellationTokenSource();
        long checks = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var s in head.Select(long.MinValue, long.MaxValue, false, []))
                {
                    // Every sample is (t, t / 15000): a torn, stale or freed chunk breaks the sequence.
                    var got = s.Chunks.SelectMany(c => Decode(c.Data.ToArray())).ToList();
                    for (int i = 0; i < got.Count; i++)
                    {
                        Assert.Equal(got[i].T / 15_000.0, got[i].V);
                        Assert.True(i == 0 || got[i].T == got[i - 1].T + 15_000, $"gap at {got[i].T}");
                    }

                    Interlocked.Increment(ref checks);
                }
            }
        })).ToArray();

        try
        {
            for (long t = 0; t < 6 * 3_600_000; t += 30 * Minute)
            {
                long from = t;
                Push(head, series.Select(l => (l, Enumerable.Range(0, 120).Select(i => (from + (i * 15_000L), (from + (i * 15_000L)) / 15_000.0)).ToArray())).ToArray());
                if (t % (2 * 3_600_000) == 0 && t > 0)
                {
                    head.Truncate(t - 3_600_000);
                }
            }

            // Let the readers finish at least a few full passes over the final state.
            var deadline = DateTime.UtcNow.AddMinutes(2);
            long seen = Interlocked.Read(ref checks);
            while (Interlocked.Read(ref checks) < seen + 100 && DateTime.UtcNow < deadline && readers.All(r => !r.IsCompleted))
            {
                await Task.Delay(10);
            }
        }
        finally
        {
            stop.Cancel();
        }

        await Task.WhenAll(readers);
        Assert.True(Interlocked.Read(ref checks) > 0);
    }

    [Fact]
    public void Opening_starts_from_an_empty_directory_because_replay_rewrites_it()
    {
        Directory.CreateDirectory(ChunksDir);
        File.WriteAllBytes(Path.Combine(ChunksDir, "000007"), [1, 2, 3]);
        using var head = DiskHead(SmallSegment);
        Assert.Empty(Directory.GetFiles(ChunksDir));

        Push(head, (L("__name__", "m"), Enumerable.Range(0, 121).Select(i => ((long)i, 1.0)).ToArray()));
        Assert.Equal(["000001"], SegmentNames());
    }

    [Fact]
    public void Segment_size_below_64_KiB_is_rejected_at_start()
    {
        var e = Assert.Throws<ArgumentException>(() => new Tsdb.Head.Head(new HeadOptions { ChunkDirectory = ChunksDir, ChunkSegmentBytes = 1000 }, wal: null));
        Assert.Contains("segment size", e.Message);
    }

    private Tsdb.Head.Head DiskHead(int segmentBytes) =>
        new(new HeadOptions { ChunkDirectory = ChunksDir, ChunkSegmentBytes = segmentBytes }, wal: null);

    private string[] SegmentNames() => [.. Directory.GetFiles(ChunksDir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static void Push(Tsdb.Head.Head head, params (Labels Labels, (long T, double V)[] Samples)[] series)
    {
        using var batch = Of(series);
        var result = new TestSink();
        head.Append(batch, result, 0);
        Assert.Null(result.FirstError);
    }

    private static string Flatten(ChunkSeries s) =>
        s.Labels + ":" + string.Join(";", s.Chunks.Select(c => $"{c.MinTime},{c.MaxTime},{c.Encoding},{Convert.ToHexString(c.Data.Span)}"));

    private static List<(long T, double V)> Decode(byte[] data)
    {
        var list = new List<(long T, double V)>();
        var it = new XorIterator(data);
        while (it.Next())
        {
            list.Add((it.T, it.V));
        }

        return list;
    }
}
