using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Block;

/// <summary>Damaged copies of a promtool block must fail with the section and offset named (G17).</summary>
public sealed class BlockCorruptionTests : IClassFixture<PromtoolBlocks>
{
    private readonly byte[] _index;
    private readonly byte[] _segment;

    public BlockCorruptionTests(PromtoolBlocks blocks)
    {
        _index = File.ReadAllBytes(Path.Combine(blocks.BlockDirs[0], "index"));
        _segment = File.ReadAllBytes(Path.Combine(blocks.BlockDirs[0], "chunks", "000001"));
    }

    public static TheoryData<string, string> IndexDamage() => new()
    {
        { "magic", "header corrupt at byte 0" },
        { "version1", "version 1" },
        { "symbols", "symbol table corrupt" },
        { "toc", "TOC corrupt" },
        { "truncated", "TOC corrupt" },
    };

    [Theory]
    [MemberData(nameof(IndexDamage))]
    public void DamagedIndexIsRejectedAtOpen(string damage, string expected)
    {
        byte[] b = (byte[])_index.Clone();
        switch (damage)
        {
            case "magic": b[0] ^= 0xFF; break;
            case "version1": b[4] = 1; break;
            case "symbols": b[12] ^= 0x01; break;
            case "toc": b[^1] ^= 0x01; break;
            case "truncated": b = b[..40]; break;
        }

        var e = Assert.Throws<BlockCorruptionException>(() => new IndexReader(b));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DamagedSeriesAndPostingsNameTheirOffset()
    {
        ulong first;
        using (var ok = new IndexReader(_index))
        {
            first = ok.AllPostings()[0];
            byte[] b = (byte[])_index.Clone();
            b[(int)(first * 16) + 3] ^= 0x40;
            using var bad = new IndexReader(b);
            var e = Assert.Throws<BlockCorruptionException>(() => bad.Series(first));
            Assert.Equal("series", e.Section);
            Assert.InRange(e.Offset, (long)first * 16, (long)first * 16 + 200);
            Assert.Throws<BlockCorruptionException>(() => ok.Series(1));
        }
    }

    [Fact]
    public void DamagedChunkFailsItsCrc()
    {
        using var index = new IndexReader(_index);
        var meta = index.Series(index.AllPostings()[0]).Chunks[0];
        byte[] b = (byte[])_segment.Clone();
        b[(int)(meta.Ref & 0xFFFF_FFFF) + 5] ^= 0x10;
        using var good = new ChunkSegmentReader([_segment]);
        Assert.Equal(Tsdb.Chunks.ChunkEncoding.Xor, good.Chunk(meta.Ref).Encoding);
        using var bad = new ChunkSegmentReader([b]);
        var e = Assert.Throws<BlockCorruptionException>(() => bad.Chunk(meta.Ref));
        Assert.Contains("CRC32C mismatch", e.Message, StringComparison.Ordinal);
        Assert.Throws<BlockCorruptionException>(() => good.Chunk((1UL << 32) | 8));
        b[0] = 0;
        Assert.Contains("segment header corrupt at byte 0", Assert.Throws<BlockCorruptionException>(() => new ChunkSegmentReader([b])).Message, StringComparison.Ordinal);
    }
}
