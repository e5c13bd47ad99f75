using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Tsdb.Block;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.Tsdb.Tests.Block;

/// <summary>Reads blocks written by Prometheus' promtool and compares them with the input (G18: real objects).</summary>
public sealed class BlockReaderInteropTests : IClassFixture<PromtoolBlocks>
{
    private readonly PromtoolBlocks _blocks;
    private readonly ITestOutputHelper _output;

    public BlockReaderInteropTests(PromtoolBlocks blocks, ITestOutputHelper output)
    {
        _blocks = blocks;
        _output = output;
    }

    [Fact]
    public void PromtoolWroteSeveralBlocks()
    {
        Assert.True(_blocks.BlockDirs.Count >= 2, $"{_blocks.BlockDirs.Count} blocks");
        int series = 0, chunks = 0;
        foreach (string dir in _blocks.BlockDirs)
        {
            using var block = BlockReader.Open(dir);
            foreach (ulong r in block.Index.AllPostings())
            {
                series++;
                chunks += block.Index.Series(r).Chunks.Count;
            }
        }

        _output.WriteLine($"{_blocks.BlockDirs.Count} blocks, {series} block series, {chunks} chunks");
        _output.WriteLine(PromtoolRunner.Run("tsdb", "list", Path.GetDirectoryName(_blocks.BlockDirs[0])!));
    }

    [Fact]
    public async Task EverySeriesAndSampleEqualsTheInput()
    {
        var actual = new Dictionary<Labels, List<Sample>>();
        foreach (string dir in _blocks.BlockDirs)
        {
            using var block = BlockReader.Open(dir);
            await using var q = block.Querier(long.MinValue, long.MaxValue);
            Labels? previous = null;
            await foreach (var s in q.SelectAsync(true, null, [], CancellationToken.None))
            {
                Assert.True(previous is null || Labels.Compare(previous.Value, s.Labels) < 0, $"{previous} before {s.Labels}");
                previous = s.Labels;
                if (!actual.TryGetValue(s.Labels, out var list))
                {
                    actual[s.Labels] = list = [];
                }

                list.AddRange(Drain(s));
            }
        }

        Assert.Equal(_blocks.Expected.Keys.OrderBy(l => l).Select(l => l.ToString()), actual.Keys.OrderBy(l => l).Select(l => l.ToString()));
        foreach (var (labels, want) in _blocks.Expected)
        {
            var got = actual[labels].OrderBy(x => x.T).ToList();
            Assert.Equal(want.Count, got.Count);
            for (int i = 0; i < want.Count; i++)
            {
                Assert.True(want[i].T == got[i].T && BitConverter.DoubleToInt64Bits(want[i].V) == BitConverter.DoubleToInt64Bits(got[i].V),
                    $"{labels} sample {i}: want {want[i]}, got {got[i]}");
            }
        }
    }

    [Fact]
    public async Task TimeRangeTrimsSamplesAndDropsSeriesOutsideIt()
    {
        long mint = (PromtoolBlocks.StartSeconds * 1000) + 3_000_000;
        long maxt = mint + 600_000;
        var got = new Dictionary<Labels, List<Sample>>();
        foreach (string dir in _blocks.BlockDirs)
        {
            using var block = BlockReader.Open(dir);
            await foreach (var s in block.Querier(mint, maxt).SelectAsync(true, null, [], CancellationToken.None))
            {
                var samples = Drain(s);
                Assert.NotEmpty(samples);
                got[s.Labels] = [.. got.GetValueOrDefault(s.Labels) ?? [], .. samples];
            }
        }

        foreach (var (labels, all) in _blocks.Expected)
        {
            Assert.Equal(all.Where(x => x.T >= mint && x.T <= maxt), got[labels].OrderBy(x => x.T));
        }

        using var first = BlockReader.Open(_blocks.BlockDirs[0]);
        Assert.Empty(first.Querier(0, 1000).Select([]));
    }

    public static TheoryData<string> Selectors() =>
    [
        "__name__=queue_depth",
        "job=api",
        "job!=api",
        "zone=",
        "zone!=",
        "zone=~eu.*",
        "zone!~eu.*",
        "instance=~host-[0-2]:9100|nomatch",
        "instance!~host-[0-2]:9100",
        "__name__=~.+_celsius;job!=db",
        "__name__=http_requests;zone=~.*",
        "job=nope",
        "missing!=x",
        "missing=x",
        "zone=~us-é|eu west;instance!=host-0:9100",
    ];

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task SelectionMatchesPromQLSemantics(string selector)
    {
        var matchers = Parse(selector);
        var want = _blocks.Expected.Keys.Where(l => matchers.All(m => m.Matches(l))).Select(l => l.ToString()).Order(StringComparer.Ordinal).ToList();
        foreach (string dir in _blocks.BlockDirs)
        {
            using var block = BlockReader.Open(dir);
            var q = block.Querier(long.MinValue, long.MaxValue);

            // Every input series spans every block, so each block must return exactly the wanted set.
            var got = new List<string>();
            await foreach (var s in q.SelectAsync(true, new SelectHints(0, 0, 0, SelectHints.SeriesOnly), matchers, CancellationToken.None))
            {
                got.Add(s.Labels.ToString());
            }

            Assert.Equal(want, got.Order(StringComparer.Ordinal));
            var values = await q.LabelValuesAsync("instance", matchers, CancellationToken.None);
            var wantValues = _blocks.Expected.Keys.Where(l => matchers.All(m => m.Matches(l))).Select(l => l.Get("instance")).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(wantValues, values);
        }
    }

    [Fact]
    public async Task LabelNamesAndValues()
    {
        using var block = BlockReader.Open(_blocks.BlockDirs[^1]);
        var q = block.Querier(long.MinValue, long.MaxValue);
        Assert.Equal(["__name__", "instance", "job", "zone"], await q.LabelNamesAsync([], CancellationToken.None));
        Assert.Equal(["__name__", "instance", "job"], await q.LabelNamesAsync([Matcher.Eq("zone", "")], CancellationToken.None));
        Assert.Equal(["http_requests", "node_temperature_celsius", "queue_depth"], await q.LabelValuesAsync("__name__", [], CancellationToken.None));
        Assert.Equal(["eu west", "us-é"], block.Index.LabelValues("zone"));
        Assert.Empty(block.Index.LabelValues("missing"));
        Assert.Equal(block.Index.AllPostings(), block.Index.Postings("", ""));
        Assert.Equal(PromtoolBlocks.SeriesCount, block.Index.AllPostings().Length);
    }

    private static List<Sample> Drain(ISeries s)
    {
        var it = s.Iterator(null);
        var list = new List<Sample>();
        while (it.Next())
        {
            list.Add(new Sample(it.T, it.V));
        }

        Assert.Null(it.Error);
        return list;
    }

    /// <summary>"name=value;name!~re" with the operators = != =~ !~ (no quoting).</summary>
    private static List<Matcher> Parse(string selector) =>
        [.. selector.Split(';').Select(part =>
        {
            foreach (var (op, type) in new[] { ("!~", MatcherType.NotRegex), ("=~", MatcherType.Regex), ("!=", MatcherType.NotEqual), ("=", MatcherType.Equal) })
            {
                int i = part.IndexOf(op, StringComparison.Ordinal);
                if (i > 0)
                {
                    return new Matcher(type, part[..i], part[(i + op.Length)..]);
                }
            }

            throw new ArgumentException(part);
        })];
}
