using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Block;

/// <summary>The one-series block of wire-formats.md §4.7, byte for byte.</summary>
public class BlockWriterWorkedExampleTests
{
    private const string ExpectedChunks =
        "85bd40dd0100000016010004d00f3ff0" +
        "0000000000009875c25fff207d360580" +
        "26b18d6b";

    private const string ExpectedIndex =
        "baaad700020000001600000004085f5f" +
        "6e616d655f5f0161036a6f620275704c" +
        "539a6500000000000000000000000000" +
        "0c020003020101d00fbce3020869192f" +
        "3b000000000000080000000100000003" +
        "a7692ed2000000080000000100000003" +
        "a7692ed2000000080000000100000003" +
        "a7692ed20000001e0000000302000044" +
        "02085f5f6e616d655f5f027570540203" +
        "6a6f62016164ba2e155b000000000000" +
        "00050000000000000023000000000000" +
        "00410000000000000074000000000000" +
        "00410000000000000074115a4dc4";

    private static readonly Ulid s_ulid = Ulid.Parse("01DXXFZDYD1MQW6079WK0K6EDQ");

    [Fact]
    public void OneSeriesBlockMatchesReferenceBytes()
    {
        using var dir = new BlockTestDir();
        var series = ChunkedSeries.FromSamples(Labels.FromStrings("__name__", "up", "job", "a"), [(1000, 1.0), (16000, 2.0), (31000, 2.0), (46500, 3.5)]);
        var meta = BlockWriter.Write(dir.Root, s_ulid, [series]);

        string block = Path.Combine(dir.Root, s_ulid.ToString());
        Assert.Equal(Hex(ExpectedChunks), Hex(File.ReadAllBytes(Path.Combine(block, "chunks", "000001"))));
        Assert.Equal(Hex(ExpectedIndex), Hex(File.ReadAllBytes(Path.Combine(block, "index"))));
        Assert.Equal("0130ba300100000000", Hex(File.ReadAllBytes(Path.Combine(block, "tombstones"))));
        Assert.Equal(["chunks", "index", "meta.json", "tombstones"], Directory.EnumerateFileSystemEntries(block).Select(p => Path.GetFileName(p) ?? string.Empty).Order(StringComparer.Ordinal).ToArray());
        Assert.False(Directory.Exists(block + BlockWriter.TmpSuffix));

        Assert.Equal(1000, meta.MinTime);
        Assert.Equal(46501, meta.MaxTime);
        Assert.Equal(4UL, meta.Stats.NumSamples);
        Assert.Equal(1UL, meta.Stats.NumSeries);
        Assert.Equal(1UL, meta.Stats.NumChunks);
        Assert.Equal(
            "{\n\t\"ulid\": \"01DXXFZDYD1MQW6079WK0K6EDQ\",\n\t\"minTime\": 1000,\n\t\"maxTime\": 46501,\n" +
            "\t\"stats\": {\n\t\t\"numSamples\": 4,\n\t\t\"numSeries\": 1,\n\t\t\"numChunks\": 1\n\t},\n" +
            "\t\"compaction\": {\n\t\t\"level\": 1,\n\t\t\"sources\": [\n\t\t\t\"01DXXFZDYD1MQW6079WK0K6EDQ\"\n\t\t]\n\t},\n" +
            "\t\"version\": 1\n}",
            File.ReadAllText(Path.Combine(block, "meta.json")));
    }

    [Fact]
    public void ChunksAreCutAt120SamplesAndSegmentsAtTheSizeLimit()
    {
        using var dir = new BlockTestDir();
        var series = Enumerable.Range(0, 30)
            .Select(i => ChunkedSeries.FromSamples(Labels.FromStrings("__name__", "m", "i", i.ToString("D2")), Samples(i, 500)))
            .Reverse()
            .ToList();

        // A 4 KiB limit forces several segment files; every chunk must still be found at its reference.
        var meta = BlockWriter.Write(dir.Root, s_ulid, series, new BlockWriteOptions { ChunkSegmentSize = 4096 });
        string chunksDir = Path.Combine(dir.Root, s_ulid.ToString(), "chunks");
        var files = Directory.GetFiles(chunksDir).Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length > 1);
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 9, 4096));
        Assert.Equal("000001", Path.GetFileName(files[0]));
        Assert.Equal(30UL, meta.Stats.NumSeries);
        Assert.Equal(30UL * 500, meta.Stats.NumSamples);
        Assert.Equal(30UL * 5, meta.Stats.NumChunks);
    }

    [Fact]
    public void RejectsDuplicateSeriesAndLeavesNoDirectory()
    {
        using var dir = new BlockTestDir();
        var a = ChunkedSeries.FromSamples(Labels.FromStrings("a", "1"), [(1, 1.0)]);
        Assert.Throws<ArgumentException>(() => BlockWriter.Write(dir.Root, s_ulid, [a, a]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Root));
    }

    private static (long, double)[] Samples(int seed, int n) =>
        Enumerable.Range(0, n).Select(k => (1_000_000L + (k * 15_000L), (double)(seed * 1000) + k)).ToArray();

    private static string Hex(string s) => s.Replace(" ", string.Empty, StringComparison.Ordinal);

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);
}
