using FsCheck;
using FsCheck.Fluent;
using MetricsCluster.Cluster.Ring;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Ring;

public sealed class TokenGeneratorTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(128)]
    [InlineData(512)]
    public void Generates_the_requested_count_sorted_and_unique(int count)
    {
        uint[] tokens = TokenGenerator.Generate(count, new HashSet<uint>(), new Random(1));
        Assert.Equal(count, tokens.Length);
        for (int i = 1; i < tokens.Length; i++)
        {
            Assert.True(tokens[i - 1] < tokens[i], $"tokens[{i - 1}]={tokens[i - 1]} is not below tokens[{i}]={tokens[i]}");
        }
    }

    [Fact]
    public void Avoids_taken_tokens_even_when_the_random_source_hits_them()
    {
        // The same seed yields the same first values: take them all, so every one of them must be skipped.
        uint[] first = TokenGenerator.Generate(64, new HashSet<uint>(), new Random(7));
        uint[] second = TokenGenerator.Generate(64, new HashSet<uint>(first), new Random(7));
        Assert.Equal(64, second.Length);
        Assert.Empty(second.Intersect(first));
    }

    [Fact]
    public void Property_count_unique_sorted_and_disjoint_from_taken()
    {
        var gen = from count in Gen.Choose(0, 300)
                  from seed in Gen.Choose(0, int.MaxValue)
                  from taken in Gen.ArrayOf(ArbMap.Default.GeneratorFor<uint>())
                  select (count, seed, taken);
        var prop = Prop.ForAll(gen.ToArbitrary(), ((int Count, int Seed, uint[] Taken) c) =>
        {
            var taken = new HashSet<uint>(c.Taken);
            uint[] tokens = TokenGenerator.Generate(c.Count, taken, new Random(c.Seed));
            return tokens.Length == c.Count
                && tokens.Zip(tokens.Skip(1)).All(p => p.First < p.Second)
                && !tokens.Any(taken.Contains);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), prop);
    }
}
