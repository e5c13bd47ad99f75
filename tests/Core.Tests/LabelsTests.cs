using Xunit;

namespace MetricsCluster.Core.Tests;

public class LabelsTests
{
    [Theory]
    // Prometheus labels.Compare: name first, then value, byte-wise; a prefix sorts first.
    [InlineData(new[] { "a", "1" }, new[] { "a", "1" }, 0)]
    [InlineData(new[] { "a", "1" }, new[] { "a", "2" }, -1)]
    [InlineData(new[] { "a", "2" }, new[] { "a", "1" }, 1)]
    [InlineData(new[] { "a", "1" }, new[] { "b", "1" }, -1)]
    [InlineData(new[] { "a", "1" }, new[] { "a", "1", "b", "1" }, -1)]
    [InlineData(new[] { "a", "1", "b", "1" }, new[] { "a", "1" }, 1)]
    [InlineData(new string[0], new[] { "a", "1" }, -1)]
    [InlineData(new[] { "a", "Z" }, new[] { "a", "a" }, -1)]
    [InlineData(new[] { "a", "\u00e9" }, new[] { "a", "z" }, 1)]
    public void CompareMatchesPrometheus(string[] a, string[] b, int expected)
    {
        var la = Labels.FromStrings(a);
        var lb = Labels.FromStrings(b);
        Assert.Equal(expected, Math.Sign(Labels.Compare(la, lb)));
        Assert.Equal(-expected, Math.Sign(Labels.Compare(lb, la)));
        Assert.Equal(expected == 0, la == lb);
        Assert.Equal(expected == 0, la.Equals((object)lb));
    }

    [Fact]
    public void EqualSetsHashAlikeAndWorkAsKeys()
    {
        var a = Labels.FromStrings("job", "a", "__name__", "up");
        var b = Labels.FromStrings("__name__", "up", "job", "a");
        Assert.Equal(a, b);
        Assert.Equal(a.Hash, b.Hash);
        Assert.Equal(XxHash64.Hash(a.Bytes), a.Hash);
        var d = new Dictionary<Labels, int> { [a] = 1 };
        Assert.Equal(1, d[b]);
    }

    [Theory]
    [InlineData(new[] { "__name__", "up", "job", "a" }, "{__name__=\"up\", job=\"a\"}")]
    [InlineData(new[] { "b", "2", "a", "1" }, "{a=\"1\", b=\"2\"}")]
    [InlineData(new[] { "a", "x\"y\\z\nw" }, "{a=\"x\\\"y\\\\z\\nw\"}")]
    [InlineData(new string[0], "{}")]
    public void FormatsLikePrometheus(string[] pairs, string expected)
    {
        Assert.Equal(expected, Labels.FromStrings(pairs).ToString());
    }

    [Fact]
    public void AccessorsReadTheSet()
    {
        var l = Labels.FromStrings("__name__", "up", "job", "a");
        Assert.Equal("up", l.MetricName);
        Assert.Equal("a", l.Get("job"));
        Assert.Equal(string.Empty, l.Get("missing"));
        Assert.Equal(2, l.Count);
        Assert.False(l.IsEmpty);
        Assert.True(Labels.Empty.IsEmpty);
    }

    [Fact]
    public void BuilderDropsEmptyValuesAndSorts()
    {
        var l = new LabelsBuilder().Set("z", "1").Set("empty", string.Empty).Set("a", "2").Set("m", "3").Build();
        Assert.Equal("{a=\"2\", m=\"3\", z=\"1\"}", l.ToString());
        Assert.Equal(3, l.Count);
    }

    [Fact]
    public void BuilderSetReplacesAndDeleteRemoves()
    {
        var l = new LabelsBuilder(Labels.FromStrings("a", "1", "b", "2")).Set("a", "9").Delete("b").Build();
        Assert.Equal(Labels.FromStrings("a", "9"), l);
    }

    [Fact]
    public void BuilderSortsByUtf8BytesNotUtf16()
    {
        // U+FF21 (3 UTF-8 bytes EF BC A1) sorts before U+1F600 (F0 9F 98 80) byte-wise, but after it in UTF-16 ordinal order.
        var l = new LabelsBuilder().Set("\U0001F600", "x").Set("\uFF21", "y").Build();
        var names = l.Pairs().Select(p => p.Key).ToArray();
        Assert.Equal(new[] { "\uFF21", "\U0001F600" }, names);
    }
}
