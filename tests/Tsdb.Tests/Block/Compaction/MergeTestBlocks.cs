using System.Buffers.Binary;
using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Block.Compaction;

/// <summary>Writes source blocks for merge tests and reads merged blocks back with the real readers (G18).</summary>
internal static class MergeTestBlocks
{
    public const long Start = 1_700_000_000_000;

    /// <summary>Writes a block with <see cref="BlockWriter"/>, cutting source chunks at <paramref name="samplesPerChunk"/>; returns its directory.</summary>
    public static string Write(string root, Ulid ulid, IEnumerable<(Labels Labels, (long T, double V)[] Samples)> series, ThanosMeta? thanos = null, int samplesPerChunk = 50)
    {
        BlockWriter.Write(root, ulid, series.Select(s => ChunkedSeries.FromSamples(s.Labels, s.Samples, samplesPerChunk)), new BlockWriteOptions { Thanos = thanos });
        return Path.Combine(root, ulid.ToString());
    }

    /// <summary>
    /// Writes a block without <see cref="BlockWriter"/>'s checks: each chunk's meta range is given separately from
    /// its samples, so a test can make them disagree. No series at all gives an empty (but valid) block.
    /// </summary>
    public static string WriteRaw(string root, Ulid ulid, IReadOnlyList<(Labels Labels, (long MinT, long MaxT, (long T, double V)[] Samples)[] Chunks)> series)
    {
        string dir = Path.Combine(root, ulid.ToString());
        Directory.CreateDirectory(dir);
        using (var chunks = new ChunkSegmentWriter(Path.Combine(dir, "chunks")))
        using (var index = new IndexWriter(Path.Combine(dir, "index")))
        {
            foreach (string s in series.SelectMany(s => s.Labels.Pairs()).SelectMany(p => new[] { p.Key, p.Value }).Distinct().Order(StringComparer.Ordinal))
            {
                index.AddSymbol(System.Text.Encoding.UTF8.GetBytes(s));
            }

            foreach (var (labels, chunkList) in series)
            {
                var metas = chunkList.Select(c =>
                {
                    var x = new XorChunk();
                    foreach (var (t, v) in c.Samples)
                    {
                        x.Append(t, v);
                    }

                    return new ChunkMeta(c.MinT, c.MaxT, chunks.WriteChunk(ChunkEncoding.Xor, x.Bytes));
                }).ToArray();
                index.AddSeries(labels, metas);
            }

            chunks.Close();
            index.Close();
        }

        var meta = new BlockMeta { Ulid = ulid, MinTime = Start, MaxTime = Start + 7_200_000 };
        meta.Compaction.Sources.Add(ulid);
        meta.WriteTo(dir);
        return dir;
    }

    /// <summary>Every series of the block and its samples, read through <see cref="BlockReader"/> and <see cref="BlockQuerier"/>.</summary>
    public static Dictionary<Labels, List<(long T, double V)>> ReadAll(string blockDir)
    {
        using var reader = BlockReader.Open(blockDir);
        var result = new Dictionary<Labels, List<(long, double)>>();
        foreach (var s in reader.Querier(long.MinValue, long.MaxValue).Select([]))
        {
            var list = new List<(long, double)>();
            var it = s.Iterator(null);
            while (it.Next())
            {
                list.Add((it.T, it.V));
            }

            Assert.Null(it.Error);
            result.Add(s.Labels, list);
        }

        return result;
    }

    /// <summary>Per series (in index order), the sample count of each chunk, from the chunks' BE16 headers.</summary>
    public static List<int[]> ChunkSampleCounts(string blockDir)
    {
        using var reader = BlockReader.Open(blockDir);
        return [.. reader.Index.AllPostings().Select(r => reader.Index.Series(r).Chunks
            .Select(c => (int)BinaryPrimitives.ReadUInt16BigEndian(reader.Chunks.Chunk(c.Ref).Data.Span)).ToArray())];
    }

    /// <summary>Asserts <paramref name="actual"/> holds exactly the series and samples of <paramref name="expected"/>, values bit for bit.</summary>
    public static void AssertSamples(IReadOnlyDictionary<Labels, SortedDictionary<long, double>> expected, Dictionary<Labels, List<(long T, double V)>> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (labels, samples) in expected)
        {
            var got = actual[labels];
            Assert.Equal(samples.Keys, got.Select(s => s.T));
            Assert.Equal(samples.Values.Select(BitConverter.DoubleToInt64Bits), got.Select(s => BitConverter.DoubleToInt64Bits(s.V)));
        }
    }
}
