using MetricsCluster.Core.Storage;
using Xunit;

namespace MetricsCluster.Core.Tests;

public sealed class MergedSeriesTests
{
    private static readonly Labels s_l = Labels.FromStrings("__name__", "m");

    [Theory]
    // Sources as "t:v,t:v|t:v", expected as "t:v,...": the first source wins a shared timestamp.
    [InlineData("1:1,3:3|2:2,4:4", "1:1,2:2,3:3,4:4")]
    [InlineData("1:1,2:2|1:9,2:9,3:9", "1:1,2:2,3:9")]
    [InlineData("|5:5", "5:5")]
    [InlineData("|", "")]
    [InlineData("1:1|1:2|1:3|0:0", "0:0,1:1")]
    [InlineData("10:1,20:2,30:3", "10:1,20:2,30:3")]
    public void Merges_by_time_with_one_sample_per_timestamp(string sources, string expected)
    {
        var series = sources.Split('|').Select(s => (ISeries)new SampleArraySeries(s_l, Parse(s))).ToList();

        var it = new MergedSeries(s_l, series).Iterator(null);
        var actual = new List<Sample>();
        while (it.Next())
        {
            actual.Add(new Sample(it.T, it.V));
        }

        Assert.Equal(Parse(expected), actual);
        Assert.Null(it.Error);
    }

    [Fact]
    public void A_merge_owns_its_data_only_when_every_source_does()
    {
        ISeries owned = new SampleArraySeries(s_l, Parse("1:1"));
        ISeries other = new NotOwned(s_l);

        Assert.Same(owned, MergedSeries.Of(s_l, [owned]));
        Assert.IsAssignableFrom<IDetachedSeries>(MergedSeries.Of(s_l, [owned, new SampleArraySeries(s_l, Parse("2:2"))]));
        var mixed = MergedSeries.Of(s_l, [owned, other]);
        Assert.IsType<MergedSeries>(mixed);
        Assert.False(mixed is IDetachedSeries);
    }

    [Fact]
    public async Task Series_sets_merge_by_label_set_and_come_back_sorted()
    {
        var a = Labels.FromStrings("__name__", "a");
        var b = Labels.FromStrings("__name__", "b");
        var merged = await SeriesSets.MergeAsync(
            [Set(new SampleArraySeries(b, Parse("1:1"))), Set(new SampleArraySeries(a, Parse("1:1")), new SampleArraySeries(b, Parse("1:7,2:2")))],
            CancellationToken.None);

        Assert.Equal([a, b], merged.Select(s => s.Labels));
        Assert.IsAssignableFrom<MergedSeries>(merged[1]);
    }

    private static async IAsyncEnumerable<ISeries> Set(params ISeries[] series)
    {
        await Task.Yield();
        foreach (var s in series)
        {
            yield return s;
        }
    }

    private static Sample[] Parse(string s) =>
        [.. s.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split(':')).Select(p => new Sample(long.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))];

    /// <summary>A series that does not own its data (as a block's memory-mapped chunks would be).</summary>
    private sealed class NotOwned(Labels labels) : ISeries
    {
        public Labels Labels => labels;

        public SampleIterator Iterator(SampleIterator? reuse) => SampleIterator.Empty;
    }
}
