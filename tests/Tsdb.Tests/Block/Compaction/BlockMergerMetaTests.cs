using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Block.Compaction;
using Xunit;
using static MetricsCluster.Tsdb.Tests.Block.Compaction.MergeTestBlocks;

namespace MetricsCluster.Tsdb.Tests.Block.Compaction;

/// <summary>The merged block's <c>meta.json</c>: time range, level, sources, parents and the Thanos section.</summary>
public class BlockMergerMetaTests
{
    private static readonly Labels s_series = Labels.FromStrings("__name__", "up");

    [Fact]
    public void LevelSourcesAndParentsFollowPrometheusCompactBlockMetas()
    {
        using var dir = new BlockTestDir();
        var (a, b, c) = (Ulid.New(Start + 3, new Random(1)), Ulid.New(Start + 1, new Random(2)), Ulid.New(Start + 2, new Random(3)));
        string da = Write(dir.Root, a, [(s_series, [(Start + 5000, 1)])]);
        string db = Write(dir.Root, b, [(s_series, [(Start, 1), (Start + 1000, 2)])]);
        string dc = Write(dir.Root, c, [(s_series, [(Start + 9000, 3)])]);
        var m1 = Ulid.New(Start + 10, new Random(4));
        var m2 = Ulid.New(Start + 11, new Random(5));

        var first = BlockMerger.Merge(dir.Root, m1, [da, db]);
        var second = BlockMerger.Merge(dir.Root, m2, [dc, Path.Combine(dir.Root, m1.ToString())]);

        Assert.Equal(2, first.Compaction.Level);
        Assert.Equal([b, a], first.Compaction.Sources);
        Assert.Equal([new BlockDesc(a, Start + 5000, Start + 5001), new BlockDesc(b, Start, Start + 1001)], first.Compaction.Parents);
        Assert.Equal((Start, Start + 5001), (first.MinTime, first.MaxTime));

        Assert.Equal(3, second.Compaction.Level);
        Assert.Equal([b, c, a], second.Compaction.Sources);
        Assert.Equal([new BlockDesc(c, Start + 9000, Start + 9001), new BlockDesc(m1, Start, Start + 5001)], second.Compaction.Parents);
        Assert.Equal((Start, Start + 9001), (second.MinTime, second.MaxTime));
        Assert.Equal(second.ToJson(), BlockMeta.ReadFrom(Path.Combine(dir.Root, m2.ToString())).ToJson());
    }

    [Fact]
    public void ThanosSectionIsCopiedFromTheFirstSourceWithSourceCompactor()
    {
        using var dir = new BlockTestDir();
        var thanos = new ThanosMeta { DownsampleResolution = 0, Labels = { ["__org_id__"] = "tenant-a" } };
        string a = Write(dir.Root, Ulid.New(Start, new Random(1)), [(s_series, [(Start, 1)])], thanos);
        string b = Write(dir.Root, Ulid.New(Start, new Random(2)), [(s_series, [(Start + 1, 1)])]);
        var ulid = Ulid.New(Start + 1, new Random(3));

        var meta = BlockMerger.Merge(dir.Root, ulid, [a, b]);

        string merged = Path.Combine(dir.Root, ulid.ToString());
        Assert.NotNull(meta.Thanos);
        Assert.Equal("compactor", meta.Thanos.Source);
        Assert.Equal("tenant-a", meta.Thanos.Labels["__org_id__"]);
        Assert.Equal(
            [new BlockFile("chunks/000001", new FileInfo(Path.Combine(merged, "chunks", "000001")).Length),
             new BlockFile("index", new FileInfo(Path.Combine(merged, "index")).Length),
             new BlockFile("meta.json", 0)],
            meta.Thanos.Files);
        Assert.Equal("ingester", BlockMeta.ReadFrom(a).Thanos!.Source);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ThanosSectionFromOptionsWinsAndNoneStaysNone(bool fromOptions)
    {
        using var dir = new BlockTestDir();
        string a = Write(dir.Root, Ulid.New(Start, new Random(1)), [(s_series, [(Start, 1)])]);
        var ulid = Ulid.New(Start + 1, new Random(3));
        var options = fromOptions ? new BlockMergeOptions { Thanos = new ThanosMeta { Source = "compactor", Labels = { ["__org_id__"] = "t" } } } : null;

        var meta = BlockMerger.Merge(dir.Root, ulid, [a], options);

        var onDisk = BlockMeta.ReadFrom(Path.Combine(dir.Root, ulid.ToString()));
        Assert.Equal(fromOptions, onDisk.Thanos is not null);
        Assert.Equal(fromOptions ? "t" : null, onDisk.Thanos?.Labels["__org_id__"]);
        Assert.Equal(fromOptions ? 3 : 0, meta.Thanos?.Files.Count ?? 0);
    }
}
