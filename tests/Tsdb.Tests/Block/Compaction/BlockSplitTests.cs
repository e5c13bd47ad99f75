using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Block.Compaction;
using Xunit;
using static MetricsCluster.Tsdb.Tests.Block.Compaction.MergeTestBlocks;

namespace MetricsCluster.Tsdb.Tests.Block.Compaction;

/// <summary>The split stage of <see cref="BlockMerger.Split"/>: one merge pass, series partitioned by label hash.</summary>
public class BlockSplitTests
{
    [Fact]
    public void ReplicasSplitIntoShardsThatTogetherHoldTheMergeEachSeriesInOneShard()
    {
        using var dir = new BlockTestDir();
        var (replicas, expected) = BlockMergerTests.Replicas(seriesCount: 40, samples: 200);
        var dirs = replicas.Select((r, i) => Write(dir.Root, Ulid.New(Start + i, new Random(i)), r, new ThanosMeta { Labels = { ["__org_id__"] = "t" } })).ToList();
        Ulid[] shards = [.. Enumerable.Range(0, 4).Select(i => Ulid.New(Start + 100 + i, new Random(100 + i)))];

        var metas = BlockMerger.Split(dir.Root, shards, dirs);

        Assert.Equal(4, metas.Count); // 40 series over 4 shards: an empty shard has odds of (3/4)^40
        var seen = new Dictionary<Labels, List<(long T, double V)>>();
        var sources = replicas.Select((_, i) => BlockMeta.ReadFrom(dirs[i]).Ulid).Order().ToList();
        for (int i = 0; i < metas.Count; i++)
        {
            var meta = metas[i];
            Assert.Equal(shards[i], meta.Ulid);
            Assert.Equal($"{i + 1}_of_4", meta.Thanos!.Labels[BlockMerger.ShardIdLabel]);
            Assert.Equal("t", meta.Thanos.Labels["__org_id__"]);
            Assert.Equal("compactor", meta.Thanos.Source);
            Assert.Equal(sources, meta.Compaction.Sources.Order());
            Assert.Equal(2, meta.Compaction.Level);
            string blockDir = Path.Combine(dir.Root, meta.Ulid.ToString());
            Assert.Equal(BlockMeta.ReadFrom(blockDir).ToJson(), meta.ToJson());
            foreach (var (labels, samples) in ReadAll(blockDir))
            {
                Assert.Equal((ulong)i, labels.Hash % 4);
                seen.Add(labels, samples); // throws if a series were in two shards
            }
        }

        AssertSamples(expected, seen);
        Assert.Equal((ulong)expected.Values.Sum(s => s.Count), (ulong)metas.Sum(m => (long)m.Stats.NumSamples));
        Assert.Empty(Directory.GetDirectories(dir.Root, "*" + BlockWriter.TmpSuffix));
    }

    [Fact]
    public void AShardWithoutSeriesWritesNoBlock()
    {
        using var dir = new BlockTestDir();
        var labels = Labels.FromStrings("__name__", "up", "job", "only");
        string a = Write(dir.Root, Ulid.New(Start, new Random(1)), [(labels, BlockMergerTests.Steps(Start, 600_000, 15_000))]);
        Ulid[] shards = [.. Enumerable.Range(0, 3).Select(i => Ulid.New(Start + 10 + i, new Random(10 + i)))];

        var meta = Assert.Single(BlockMerger.Split(dir.Root, shards, [a]));

        int shard = (int)(labels.Hash % 3);
        Assert.Equal(shards[shard], meta.Ulid);
        Assert.Equal($"{shard + 1}_of_3", meta.Thanos!.Labels[BlockMerger.ShardIdLabel]); // a source without a thanos section gets one
        Assert.Equal([a, Path.Combine(dir.Root, meta.Ulid.ToString())], Directory.GetDirectories(dir.Root).Order());
    }
}
