using System.Globalization;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Block;

/// <summary>The <c>__query_shard__</c> matcher in a local block's index (src/Tsdb/Block/IndexReader.Select.cs).</summary>
public sealed class BlockQueryShardTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    public async Task The_shards_of_a_selection_are_disjoint_and_complete_and_agree_with_the_labels_hash(int count)
    {
        using var dir = new BlockTestDir();
        var data = Enumerable.Range(0, 200).Select(i => ChunkedSeries.FromSamples(
            Labels.FromStrings("__name__", "m", "i", i.ToString("D3", CultureInfo.InvariantCulture), "job", "j" + (i % 5).ToString(CultureInfo.InvariantCulture)),
            [(1_000L + i, (double)i), (2_000L + i, i * 2.0)]));
        var meta = BlockWriter.Write(dir.Root, Ulid.New(1_700_000_000_000, new Random(1)), data);
        using var block = BlockReader.Open(Path.Combine(dir.Root, meta.Ulid.ToString()));
        var querier = block.Querier(long.MinValue, long.MaxValue);

        foreach (Matcher[] matchers in new Matcher[][] { [Matcher.Eq("__name__", "m")], [new Matcher(MatcherType.NotRegex, "job", "j[12]")] })
        {
            var whole = querier.Select(matchers).Select(s => s.Labels).ToList();
            var seen = new List<Labels>();
            for (int i = 0; i < count; i++)
            {
                var shard = new QueryShard(i, count);
                Matcher[] sharded = [.. matchers, shard.ToMatcher()];
                var part = querier.Select(sharded).Select(s => s.Labels).ToList();

                // In label order, and exactly the series of the selection whose hash is in the shard.
                Assert.Equal(whole.Where(shard.Contains), part);
                seen.AddRange(part);
                Assert.Equal(part.Select(l => l.Get("i")), await querier.LabelValuesAsync("i", sharded, CancellationToken.None));
            }

            Assert.Equal(whole.OrderBy(l => l), seen.OrderBy(l => l));
        }
    }
}
