using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Block;

public class ChunkSegmentWriterTests
{
    [Fact]
    public void ReferencesAreSegmentPositionAndOffset()
    {
        using var dir = new BlockTestDir();
        var data = new byte[100];
        ulong[] refs;

        // Each chunk takes 1 (len) + 1 (encoding) + 100 + 4 (CRC) = 106 bytes; 8 + 2 × 106 = 220 ≤ 230 < 326.
        using (var w = new ChunkSegmentWriter(dir.Root, segmentSize: 230))
        {
            refs = [.. Enumerable.Range(0, 5).Select(i => { data[0] = (byte)i; return w.WriteChunk(1, data); })];
            w.Close();
            Assert.Equal([new BlockFile("chunks/000001", 220), new BlockFile("chunks/000002", 220), new BlockFile("chunks/000003", 114)], w.Files);
        }

        Assert.Equal([8UL, 114UL, (1UL << 32) | 8, (1UL << 32) | 114, (2UL << 32) | 8], refs);
        byte[] third = File.ReadAllBytes(Path.Combine(dir.Root, "000003"));
        Assert.Equal("85bd40dd01000000", Convert.ToHexStringLower(third.AsSpan(0, 8)));
        Assert.Equal([100, 1, 4], third[8..11]);
        uint crc = Crc32C.Compute(third.AsSpan(9, 101)); // The encoding byte and the data.
        Assert.Equal(crc, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(third.AsSpan(110)));
    }

    [Fact]
    public void IndexWriterEnforcesOrder()
    {
        using var dir = new BlockTestDir();
        using var w = new IndexWriter(Path.Combine(dir.Root, "index"));
        w.AddSymbol("a"u8);
        Assert.Throws<InvalidOperationException>(() => w.AddSymbol("a"u8));
        w.AddSymbol("b"u8);
        w.AddSymbol("c"u8);
        // Header 5 + symbol table 4 + 4 + 3 × 2 + 4 = 23, so the first series sits at 32 (ID 2) and takes 13 bytes.
        Assert.Equal(2u, w.AddSeries(Labels.FromStrings("b", "b"), [new ChunkMeta(0, 10, 8)]));
        Assert.Throws<InvalidOperationException>(() => w.AddSeries(Labels.FromStrings("a", "a"), [new ChunkMeta(20, 30, 20)]));
        Assert.Throws<InvalidOperationException>(() => w.AddSeries(Labels.FromStrings("b", "c"), [new ChunkMeta(0, 10, 20), new ChunkMeta(10, 30, 30)])); // Overlap.
        Assert.Throws<InvalidOperationException>(() => w.AddSeries(Labels.FromStrings("b", "c"), [new ChunkMeta(0, 10, 4)])); // Ref goes back.
        Assert.Throws<InvalidOperationException>(() => w.AddSeries(Labels.FromStrings("b", "d"), [new ChunkMeta(0, 10, 20)])); // "d" is no symbol.
        Assert.Throws<InvalidOperationException>(() => w.AddSymbol("d"u8));

        // A rejected series leaves the writer usable.
        Assert.Equal(3u, w.AddSeries(Labels.FromStrings("b", "c"), [new ChunkMeta(0, 10, 20)]));
    }
}
