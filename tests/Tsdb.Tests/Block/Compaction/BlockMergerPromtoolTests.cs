using System.Text.RegularExpressions;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Block.Compaction;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Block.Compaction;

/// <summary>
/// Merges blocks written by the real <c>promtool tsdb create-blocks-from openmetrics</c> and has promtool read the
/// result back: <c>analyze</c> must accept it and <c>dump</c> must hold exactly the input samples.
/// </summary>
public sealed class BlockMergerPromtoolTests : IClassFixture<PromtoolBlocks>
{
    private readonly PromtoolBlocks _blocks;

    public BlockMergerPromtoolTests(PromtoolBlocks blocks) => _blocks = blocks;

    [Fact]
    public void PromtoolBlocksMergeIntoOneBlockPromtoolReadsBack()
    {
        Assert.True(_blocks.BlockDirs.Count >= 2, $"promtool wrote {_blocks.BlockDirs.Count} block(s); the fixture spans ~4.2 h of 2 h blocks");
        using var dir = new BlockTestDir();
        var ulid = Ulid.New(PromtoolBlocks.StartSeconds * 1000, new Random(1));

        var meta = BlockMerger.Merge(dir.Root, ulid, _blocks.BlockDirs);

        var sourceMetas = _blocks.BlockDirs.Select(BlockMeta.ReadFrom).ToList();
        Assert.Equal(sourceMetas.Min(m => m.MinTime), meta.MinTime);
        Assert.Equal(sourceMetas.Max(m => m.MaxTime), meta.MaxTime);
        Assert.Equal((ulong)(PromtoolBlocks.SeriesCount * PromtoolBlocks.SamplesPerSeries), meta.Stats.NumSamples);
        Assert.Equal(sourceMetas.Select(m => m.Ulid), meta.Compaction.Parents.Select(p => p.Ulid));

        string analyze = PromtoolRunner.Run("tsdb", "analyze", dir.Root, ulid.ToString());
        Assert.Contains($"Series: {PromtoolBlocks.SeriesCount}", analyze, StringComparison.Ordinal);
        Assert.Matches(new Regex($"Block ID: {ulid}"), analyze);

        var dump = PromtoolInteropTests.ParseDump(PromtoolInteropTests.Dump(dir.Root, $"--min-time={meta.MinTime}", $"--max-time={meta.MaxTime}"));
        Assert.Equal(_blocks.Expected.Keys.Select(PromtoolInteropTests.ToPromtoolString).Order(StringComparer.Ordinal), dump.Keys.Order(StringComparer.Ordinal));
        foreach (var (labels, samples) in _blocks.Expected)
        {
            var got = dump[PromtoolInteropTests.ToPromtoolString(labels)];
            Assert.Equal(samples.Select(s => s.T), got.Select(s => s.T));
            Assert.Equal(samples.Select(s => BitConverter.DoubleToInt64Bits(s.V)), got.Select(s => BitConverter.DoubleToInt64Bits(s.V)));
        }
    }
}
