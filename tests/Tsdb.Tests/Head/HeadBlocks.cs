using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Block.Compaction;

namespace MetricsCluster.Tsdb.Tests.Head;

/// <summary>Cuts a head range into a block the way head compaction does, and reads the block back.</summary>
internal static class HeadBlocks
{
    /// <summary>
    /// The series and chunks of the block <see cref="BlockMerger.Write"/> makes from the head's samples in
    /// [<paramref name="mint"/>, <paramref name="maxtExclusive"/>); empty when there are none.
    /// </summary>
    public static List<ChunkedSeries> Cut(Tsdb.Head.Head head, long mint, long maxtExclusive)
    {
        using var dir = new Block.BlockTestDir();
        var ulid = Ulid.New(TimeProvider.System);
        var meta = BlockMerger.Write(dir.Root, ulid, head.Range(mint, maxtExclusive - 1), new BlockWriteOptions { MinTime = mint, MaxTime = maxtExclusive });
        if (meta is null)
        {
            return [];
        }

        return Read(Path.Combine(dir.Root, ulid.ToString()));
    }

    /// <summary>Every series of the block at <paramref name="blockDir"/> with its chunks' bytes.</summary>
    public static List<ChunkedSeries> Read(string blockDir)
    {
        using var reader = BlockReader.Open(blockDir);
        var result = new List<ChunkedSeries>();
        foreach (ulong r in reader.Index.AllPostings())
        {
            var s = reader.Index.Series(r);
            result.Add(new ChunkedSeries(s.Labels, [.. s.Chunks.Select(c => new XorChunkData(c.MinT, c.MaxT, reader.Chunks.Chunk(c.Ref).Data.ToArray()))]));
        }

        return result;
    }
}
