using MetricsCluster.Core;
using MetricsCluster.Tsdb.Wal;
using Xunit;
using B = MetricsCluster.Tsdb.Tests.Wal.WalRecordBuilder;

namespace MetricsCluster.Tsdb.Tests.Wal;

public class CheckpointTests
{
    private const long Mint = 50;
    private const ulong StaleNaN = 0x7FF0000000000002;

    private static bool Keep(ulong r) => r % 2 == 0;

    [Fact]
    public void CheckpointKeepsLiveSeriesRecentSamplesAndLatestMetadata()
    {
        using var dir = new WalTestDir();
        using (var wal = dir.Open())
        {
            WriteHistory(wal);
            Assert.Equal(4, wal.CurrentSegment);
        }

        var stats = Checkpoint.Create(dir.Wal, 0, 3, Keep, Mint);

        // 10 series; per series 100 samples and one stale marker, all in segments 0..3.
        Assert.Equal(new CheckpointStats(5, (5 * 101) + (5 * 50), 10, 10 * 101), stats);
        var (cpDir, cpIndex) = Checkpoint.Last(dir.Wal);
        Assert.Equal((Path.Combine(dir.Wal, "checkpoint.00000003"), 3), (cpDir, cpIndex));
        Assert.False(Directory.Exists(cpDir + ".tmp"));

        // The checkpoint alone, replayed as a WAL directory of its own.
        var records = new List<byte[]>();
        Assert.Null(WalReplay.ReadAndRepair(cpDir!, r => records.Add(r.ToArray())));
        var cp = B.Decode(records);
        Assert.Equal(new ulong[] { 2, 4, 6, 8, 10 }, cp.Series.Select(s => s.Ref));
        Assert.Equal(Labels.FromStrings("__name__", "m", "id", "4"), cp.Series[1].Labels);
        Assert.All(cp.Samples, s => Assert.True(Keep(s.Ref) && s.T >= Mint));
        Assert.Equal(5 * 51, cp.Samples.Count);
        Assert.Contains((6UL, 99L, StaleNaN), cp.Samples);
        Assert.Equal(new Tombstone[] { new(2, 60, 70), new(4, 60, 70), new(6, 60, 70), new(8, 60, 70), new(10, 60, 70) }, cp.Tombstones);
        Assert.Equal(new[] { "v2" }, cp.Metadata.Values.Select(m => m.Help).Distinct());
        Assert.Equal(new ulong[] { 2, 4, 6, 8, 10 }, cp.Metadata.Keys.Order());
        Assert.Equal(RecordType.Metadata, WalRecords.TypeOf(records[^1]));
    }

    [Fact]
    public void ReplayAfterCheckpointAndTruncateGivesTheSameLiveData()
    {
        using var dir = new WalTestDir();
        List<byte[]> before;
        using (var wal = dir.Open())
        {
            WriteHistory(wal);
            wal.Log(B.Series(new RefSeries(12, Labels.FromStrings("__name__", "late"))), B.Samples(new RefSample(12, 200, 1)));
            wal.Dispose();
            before = dir.Replay().Records;
        }

        Checkpoint.Create(dir.Wal, 0, 3, Keep, Mint);
        using (var wal = dir.Open())
        {
            wal.Truncate(4);
            Assert.Equal((4, 5), WriteAheadLog.Segments(dir.Wal));
        }

        var (after, corruption) = dir.Replay();
        Assert.Null(corruption);
        var (b, a) = (Live(before), Live(after));
        Assert.Equal(b.Series, a.Series);
        Assert.Equal(b.Samples, a.Samples);
        Assert.Equal(b.Tombstones, a.Tombstones);
        Assert.Equal(b.Metadata.OrderBy(kv => kv.Key), a.Metadata.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void SecondCheckpointFoldsInTheFirstAndDeletesIt()
    {
        using var dir = new WalTestDir();
        using (var wal = dir.Open())
        {
            WriteHistory(wal);
            Checkpoint.Create(dir.Wal, 0, 3, Keep, Mint);
            wal.Truncate(4);
            wal.Log(B.Samples(new RefSample(2, 500, 5), new RefSample(3, 500, 5)));
            wal.NextSegment();

            // A gap after the last checkpoint is refused; a leftover .tmp is ignored and replaced.
            Assert.Throws<InvalidOperationException>(() => Checkpoint.Create(dir.Wal, 6, 6, Keep, Mint));
            Directory.CreateDirectory(Path.Combine(dir.Wal, "checkpoint.00000004.tmp"));
            var stats = Checkpoint.Create(dir.Wal, 4, 4, Keep, 100);
            Assert.Equal(5, stats.TotalSeries);
        }

        Assert.Equal(4, Checkpoint.Last(dir.Wal).Index);
        Assert.False(Directory.Exists(Path.Combine(dir.Wal, "checkpoint.00000003")));
        var cp = new List<byte[]>();
        WalReplay.ReadAndRepair(Path.Combine(dir.Wal, "checkpoint.00000004"), r => cp.Add(r.ToArray()));
        var d = B.Decode(cp);
        Assert.Equal(new ulong[] { 2, 4, 6, 8, 10 }, d.Series.Select(s => s.Ref));
        Assert.Equal(new[] { (2UL, 500L, BitConverter.DoubleToUInt64Bits(5)) }, d.Samples);
    }

    [Fact]
    public void DamagedCheckpointIsRefusedNotRepaired()
    {
        using var dir = new WalTestDir();
        using (var wal = dir.Open())
        {
            WriteHistory(wal);
        }

        Checkpoint.Create(dir.Wal, 0, 3, Keep, Mint);
        string seg = Path.Combine(dir.Wal, "checkpoint.00000003", "00000000");
        var bytes = File.ReadAllBytes(seg);
        bytes[20] ^= 0xFF;
        File.WriteAllBytes(seg, bytes);
        var e = Assert.Throws<InvalidDataException>(() => dir.Replay());
        Assert.Contains("checkpoint.00000003", e.Message);
        Assert.Equal(bytes, File.ReadAllBytes(seg));
    }

    // Segments 0..3: series 1..10 with metadata v1, samples t = 0..99 (25 per segment), a stale marker
    // at t = 99, tombstones [10, 20] and [60, 70], metadata v2. The writer is left on segment 4.
    private static void WriteHistory(WriteAheadLog wal)
    {
        var ids = Enumerable.Range(1, 10).Select(i => (ulong)i).ToArray();
        wal.Log(
            B.Series([.. ids.Select(r => new RefSeries(r, Labels.FromStrings("__name__", "m", "id", r.ToString())))]),
            B.Metadata([.. ids.Select(r => new RefMetadata(r, 1, "seconds", "v1"))]));
        for (int t = 0; t < 100; t++)
        {
            wal.Log(B.Samples([.. ids.Select(r => new RefSample(r, t, (r * 1000) + (double)t))]));
            if (t % 25 == 24 && t < 99)
            {
                wal.NextSegment();
            }
        }

        wal.Log(B.Samples([.. ids.Select(r => new RefSample(r, 99, BitConverter.UInt64BitsToDouble(StaleNaN)))]));
        wal.Log(B.Tombstones([.. ids.SelectMany(r => new[] { new Tombstone(r, 10, 20), new Tombstone(r, 60, 70) })]));
        wal.Log(B.Metadata([.. ids.Select(r => new RefMetadata(r, 1, "seconds", "v2"))]));
        wal.NextSegment();
    }

    // What a head would hold after truncating at Mint with Keep deciding liveness.
    private static B.Decoded Live(List<byte[]> records)
    {
        var all = B.Decode(records);
        bool Alive(ulong r) => Keep(r) || r > 10;
        var live = new B.Decoded();
        live.Series.AddRange(all.Series.Where(s => Alive(s.Ref)).DistinctBy(s => s.Ref).OrderBy(s => s.Ref));
        live.Samples.AddRange(all.Samples.Where(s => Alive(s.Ref) && s.T >= Mint).Order());
        live.Tombstones.AddRange(all.Tombstones.Where(s => Alive(s.Ref) && s.MaxT >= Mint).OrderBy(s => (s.Ref, s.MinT, s.MaxT)));
        foreach (var (r, m) in all.Metadata.Where(kv => Alive(kv.Key)))
        {
            live.Metadata[r] = m;
        }

        return live;
    }
}
