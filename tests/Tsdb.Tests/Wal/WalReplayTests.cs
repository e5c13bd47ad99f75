using System.Buffers.Binary;
using MetricsCluster.Core;
using MetricsCluster.Tsdb.Wal;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Wal;

public class WalReplayTests
{
    private const int PageSize = WalTestDir.PageSize;

    [Fact]
    public void TornTailAtEveryOffsetIsCutAtTheLastGoodRecord()
    {
        using var dir = new WalTestDir();
        var pre = WalTestDir.Record(40, 100);
        var r0 = WalTestDir.Record(50, 0);
        var r1 = WalTestDir.Record(32_677, 1);
        var last = WalTestDir.Record(40, 2);
        long lastStart;
        byte[] image;
        using (var wal = dir.Open(1024 * 1024))
        {
            wal.Log(pre);
            wal.NextSegment();
            wal.Log(r0);
            wal.Log(r1);
            lastStart = new FileInfo(dir.Segment(1)).Length;

            // The last record straddles the page boundary: 20 bytes on page 0, 20 on page 1.
            wal.Log(last);
            image = File.ReadAllBytes(dir.Segment(1));
        }

        Assert.Equal(32_741, lastStart);
        Assert.Equal(PageSize + 7 + 20, image.Length);
        for (int cut = (int)lastStart; cut <= image.Length; cut++)
        {
            File.WriteAllBytes(dir.Segment(1), image.AsSpan(0, cut).ToArray());
            var (records, corruption) = dir.Replay();
            bool complete = cut == image.Length;
            Assert.Equal(complete ? new[] { pre, r0, r1, last } : new[] { pre, r0, r1 }, records);
            if (cut == lastStart || complete)
            {
                Assert.Null(corruption);
            }
            else
            {
                Assert.NotNull(corruption);
                Assert.Equal(1, corruption.Segment);
                Assert.Equal(lastStart, corruption.Offset);
                Assert.Equal(cut - lastStart, corruption.BytesDropped);
            }

            // Repair (and a clean replay) leave the segment padded to a page boundary with zeros.
            var repaired = File.ReadAllBytes(dir.Segment(1));
            Assert.Equal(complete ? 2 * PageSize : PageSize, repaired.Length);
            Assert.True(repaired.AsSpan(0, (int)lastStart).SequenceEqual(image.AsSpan(0, (int)lastStart)));
            if (!complete)
            {
                Assert.True(repaired.AsSpan((int)lastStart).IndexOfAnyExcept((byte)0) < 0);
            }
        }
    }

    [Fact]
    public void AfterRepairReopenLogAndReplayLoseNothingEarlier()
    {
        using var dir = new WalTestDir();
        var expected = new List<byte[]>();
        using (var wal = dir.Open())
        {
            for (int i = 0; i < 20; i++)
            {
                expected.Add(WalTestDir.Record(5000, i));
                wal.Log(expected[^1]);
            }

            wal.Log(WalTestDir.Record(20_000, 99));
        }

        // Simulate a crash in the middle of the last record.
        var seg = WriteAheadLog.Segments(dir.Wal).Last;
        var bytes = File.ReadAllBytes(dir.Segment(seg));
        long end = bytes.AsSpan().LastIndexOfAnyExcept((byte)0) + 1;
        File.WriteAllBytes(dir.Segment(seg), bytes.AsSpan(0, (int)end - 5000).ToArray());

        var first = dir.Replay();
        Assert.NotNull(first.Corruption);
        Assert.Equal(seg, first.Corruption.Segment);
        Assert.Equal(expected, first.Records);

        using (var wal = dir.Open())
        {
            Assert.Equal(seg + 1, wal.CurrentSegment);
            for (int i = 0; i < 5; i++)
            {
                expected.Add(WalTestDir.Record(30_000, 1000 + i));
                wal.Log(expected[^1]);
            }
        }

        var (records, corruption) = dir.Replay();
        Assert.Null(corruption);
        Assert.Equal(expected, records);
    }

    [Fact]
    public void ChecksumFlipInTheLastSegmentDropsThatRecordAndAllAfterIt()
    {
        using var dir = new WalTestDir();
        var expected = new List<byte[]>();
        var positions = new List<(int Segment, long Start)>();
        var rnd = new Random(3);
        using (var wal = dir.Open(64 * 1024))
        {
            for (int i = 0; i < 60; i++)
            {
                expected.Add(WalTestDir.Record(1 + rnd.Next(3000), i));
                int segBefore = wal.CurrentSegment;
                long start = new FileInfo(dir.Segment(segBefore)).Length;
                wal.Log(expected[^1]);
                positions.Add(wal.CurrentSegment == segBefore ? (segBefore, start) : (wal.CurrentSegment, 0));
            }
        }

        int lastSeg = positions[^1].Segment;
        var inLast = Enumerable.Range(0, 60).Where(i => positions[i].Segment == lastSeg).ToList();
        int k = inLast[inLast.Count / 2];
        var bytes = File.ReadAllBytes(dir.Segment(lastSeg));
        bytes[positions[k].Start + 8] ^= 0x40;
        File.WriteAllBytes(dir.Segment(lastSeg), bytes);

        var (records, corruption) = dir.Replay();
        Assert.Equal(expected.Take(k), records);
        Assert.NotNull(corruption);
        Assert.Equal(lastSeg, corruption.Segment);
        Assert.Equal(positions[k].Start, corruption.Offset);
        Assert.Equal(bytes.Length - positions[k].Start, corruption.BytesDropped);
        Assert.Contains("checksum", corruption.Reason);
    }

    [Fact]
    public void CorruptionInAnEarlierSegmentDeletesTheLaterSegments()
    {
        using var dir = new WalTestDir();
        var inSegment0 = new List<byte[]>();
        using (var wal = dir.Open(64 * 1024))
        {
            for (int i = 0; wal.CurrentSegment < 4; i++)
            {
                var r = WalTestDir.Record(9000, i);
                wal.Log(r);
                if (wal.CurrentSegment == 0)
                {
                    inSegment0.Add(r);
                }
            }
        }

        long dropped = Enumerable.Range(1, 4).Sum(s => new FileInfo(dir.Segment(s)).Length);
        var bytes = File.ReadAllBytes(dir.Segment(1));
        bytes[10] ^= 1;
        File.WriteAllBytes(dir.Segment(1), bytes);

        var (records, corruption) = dir.Replay();
        Assert.Equal(inSegment0, records);
        Assert.Equal(new WalCorruption(1, 0, corruption!.Reason, dropped), corruption);
        Assert.Equal((0, 1), WriteAheadLog.Segments(dir.Wal));
        Assert.Equal(0, new FileInfo(dir.Segment(1)).Length);
        Assert.Null(dir.Replay().Corruption);
    }

    // Handcrafted segments: fragment kinds (with data sizes) -> records kept, corruption offset (-1 = clean).
    [Theory]
    [InlineData("1:5", 1, -1L)]
    [InlineData("1:5 3:5", 1, 12L)] // Middle without first.
    [InlineData("1:5 4:5", 1, 12L)] // Last without first.
    [InlineData("1:5 2:5 1:5", 1, 12L)] // Full inside a record.
    [InlineData("1:5 2:5 2:5", 1, 12L)] // First inside a record.
    [InlineData("1:5 2:5 3:5", 1, 12L)] // Torn: ends after a middle fragment.
    [InlineData("1:5 2:5 3:5 4:5", 2, -1L)]
    [InlineData("2:0 4:3", 1, -1L)] // Empty fragments are legal.
    [InlineData("1:5 5:5", 1, 12L)] // Unknown fragment kind.
    [InlineData("1:5 0:0", 1, -1L)] // Zero padding to the end of the file.
    public void FragmentSequencesAreValidated(string fragments, int expectedRecords, long expectedOffset)
    {
        using var dir = new WalTestDir();
        Directory.CreateDirectory(dir.Wal);
        var seg = new List<byte>();
        foreach (var f in fragments.Split(' '))
        {
            var parts = f.Split(':').Select(int.Parse).ToArray();
            seg.AddRange(parts[0] == 0 ? new byte[10] : Fragment((byte)parts[0], new byte[parts[1]]));
        }

        File.WriteAllBytes(dir.Segment(0), [.. seg]);
        var (records, corruption) = dir.Replay();
        Assert.Equal(expectedRecords, records.Count);
        Assert.Equal(expectedOffset, corruption?.Offset ?? -1);
    }

    [Fact]
    public void OversizedFragmentLengthAndNonZeroPaddingAreCorruption()
    {
        using var dir = new WalTestDir();
        using (var wal = dir.Open())
        {
            wal.Log([1, 2, 3]);
        }

        var bytes = File.ReadAllBytes(dir.Segment(0));
        bytes[100] = 1;
        File.WriteAllBytes(dir.Segment(0), bytes);
        var (records, corruption) = dir.Replay();
        Assert.Single(records);
        Assert.Equal(new WalCorruption(0, 10, corruption!.Reason, PageSize - 10), corruption);
        Assert.Contains("padding", corruption.Reason);

        var bad = Fragment(1, [1]);
        BinaryPrimitives.WriteUInt16BigEndian(bad.AsSpan(1), PageSize - 6);
        File.WriteAllBytes(dir.Segment(0), bad);
        Assert.Contains("invalid fragment length", dir.Replay().Corruption!.Reason);
    }

    [Fact]
    public void SnappyCompressedRecordsFromPrometheusAreDecoded()
    {
        using var dir = new WalTestDir();
        Directory.CreateDirectory(dir.Wal);

        // uvarint 18; literal "abc"; copy len 9 off 3 (1-byte offset); literal "XYZ"; copy len 3 off 3 (2-byte offset).
        byte[] block = Convert.FromHexString("12" + "08616263" + "1503" + "0858595A" + "0A0300");
        var seg = Fragment(1 | 0x08, block).Concat(Fragment(1, [7])).ToArray();
        File.WriteAllBytes(dir.Segment(0), seg);
        var (records, corruption) = dir.Replay();
        Assert.Null(corruption);
        Assert.Equal("abcabcabcabcXYZXYZ"u8.ToArray(), records[0]);
        Assert.Equal(new byte[] { 7 }, records[1]);

        // A block that does not decode to its declared length is corrupt content.
        File.WriteAllBytes(dir.Segment(0), Fragment(1 | 0x08, Convert.FromHexString("1308616263")));
        Assert.Contains("snappy", dir.Replay().Corruption!.Reason);
    }

    [Fact]
    public void ZstdRecordsAreRefusedWithoutDeletingAnything()
    {
        using var dir = new WalTestDir();
        Directory.CreateDirectory(dir.Wal);
        var seg = Fragment(1, [1]).Concat(Fragment(1 | 0x10, [2, 3])).ToArray();
        File.WriteAllBytes(dir.Segment(0), seg);
        var e = Assert.Throws<NotSupportedException>(() => dir.Replay());
        Assert.Contains("zstd", e.Message);
        Assert.Equal(seg, File.ReadAllBytes(dir.Segment(0)));
    }

    [Fact]
    public void MissingSegmentInTheMiddleIsRefused()
    {
        using var dir = new WalTestDir();
        using (var wal = dir.Open())
        {
            wal.Log([1]);
            wal.NextSegment();
            wal.Log([2]);
            wal.NextSegment();
            wal.Log([3]);
        }

        File.Delete(dir.Segment(1));
        var e = Assert.Throws<InvalidDataException>(() => dir.Replay());
        Assert.Contains("00000001", e.Message);
        Assert.True(File.Exists(dir.Segment(2)));
    }

    [Fact]
    public void MissingDirectoryReplaysNothing()
    {
        using var dir = new WalTestDir();
        var (records, corruption) = dir.Replay();
        Assert.Empty(records);
        Assert.Null(corruption);
    }

    private static byte[] Fragment(byte type, byte[] data)
    {
        var f = new byte[7 + data.Length];
        f[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(1), (ushort)data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(3), Crc32C.Compute(data));
        data.CopyTo(f, 7);
        return f;
    }
}
