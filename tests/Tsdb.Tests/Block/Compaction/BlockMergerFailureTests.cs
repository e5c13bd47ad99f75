using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Block.Compaction;
using Xunit;
using static MetricsCluster.Tsdb.Tests.Block.Compaction.MergeTestBlocks;

namespace MetricsCluster.Tsdb.Tests.Block.Compaction;

/// <summary>Damaged sources are named, cancellation and empty input are honoured, and nothing is left behind.</summary>
public class BlockMergerFailureTests
{
    private static readonly Labels s_a = Labels.FromStrings("__name__", "a");
    private static readonly Labels s_b = Labels.FromStrings("__name__", "b");

    [Theory]
    [InlineData("chunk-crc", "CRC32C mismatch")]
    [InlineData("index-toc", "TOC")]
    [InlineData("meta", "meta.json")]
    [InlineData("chunk-outside-meta", "outside its chunk's meta range")]
    [InlineData("chunk-samples-backwards", "does not follow")]
    public void ACorruptSourceIsNamedAndNothingIsLeftBehind(string damage, string reason)
    {
        using var dir = new BlockTestDir();
        string sources = Directory.CreateDirectory(Path.Combine(dir.Root, "src")).FullName;
        string output = Directory.CreateDirectory(Path.Combine(dir.Root, "out")).FullName;
        string good = Write(sources, Ulid.New(Start, new Random(1)), [(s_a, Samples(0, 200)), (s_b, Samples(0, 200))]);
        var badUlid = Ulid.New(Start, new Random(2));
        string bad = Damage(sources, badUlid, damage);

        var e = Assert.Throws<BlockMergeSourceException>(() => BlockMerger.Merge(output, Ulid.New(Start + 1, new Random(3)), [good, bad]));

        Assert.Equal(badUlid, e.SourceBlock);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.Contains(badUlid.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Fact]
    public void CancellationBetweenSeriesRemovesTheTmpDir()
    {
        using var dir = new BlockTestDir();
        string sources = Directory.CreateDirectory(Path.Combine(dir.Root, "src")).FullName;
        string output = Directory.CreateDirectory(Path.Combine(dir.Root, "out")).FullName;
        string a = Write(sources, Ulid.New(Start, new Random(1)), [(s_a, Samples(0, 10))]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        // The token is only checked in the series loop, i.e. after the tmp dir and its index symbols were written.
        Assert.ThrowsAny<OperationCanceledException>(() => BlockMerger.Merge(output, Ulid.New(Start + 1, new Random(3)), [a], ct: cts.Token));

        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Fact]
    public void SourcesWithoutSeriesAreRejected()
    {
        using var dir = new BlockTestDir();
        string sources = Directory.CreateDirectory(Path.Combine(dir.Root, "src")).FullName;
        string output = Directory.CreateDirectory(Path.Combine(dir.Root, "out")).FullName;
        string a = WriteRaw(sources, Ulid.New(Start, new Random(1)), []);
        string b = WriteRaw(sources, Ulid.New(Start, new Random(2)), []);

        Assert.Throws<ArgumentException>(() => BlockMerger.Merge(output, Ulid.New(Start + 1, new Random(3)), [a, b]));
        Assert.Throws<ArgumentException>(() => BlockMerger.Merge(output, Ulid.New(Start + 1, new Random(3)), []));
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    private static (long T, double V)[] Samples(int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => (Start + (i * 1000L), (double)i))];

    private static string Damage(string root, Ulid ulid, string damage)
    {
        switch (damage)
        {
            case "chunk-outside-meta":
                // The meta claims [Start, Start+5000]; the data holds a sample at Start+9000.
                return WriteRaw(root, ulid, [(s_a, [(Start, Start + 5000, [(Start, 1), (Start + 9000, 2)])])]);
            case "chunk-samples-backwards":
                // Every sample lies inside its chunk's meta range, but the second chunk's go back in time.
                return WriteRaw(root, ulid, [(s_a, [(Start, Start + 5000, [(Start, 1), (Start + 5000, 2)]), (Start + 5001, Start + 9000, [(Start + 9000, 3), (Start + 6000, 4)])])]);
        }

        string dir = Write(root, ulid, [(s_a, Samples(100, 200)), (s_b, Samples(100, 200))]);
        string file = damage switch
        {
            "chunk-crc" => Path.Combine(dir, "chunks", "000001"),
            "index-toc" => Path.Combine(dir, "index"),
            _ => Path.Combine(dir, "meta.json"),
        };
        byte[] bytes = File.ReadAllBytes(file);
        switch (damage)
        {
            case "chunk-crc":
                // Inside the last chunk, series b's: series a merges first, so the failure comes with the merge under way.
                bytes[bytes.Length - 20] ^= 0x40;
                break;
            case "index-toc":
                bytes[^10] ^= 0x01;
                break;
            default:
                bytes = bytes[..(bytes.Length / 2)];
                break;
        }

        File.WriteAllBytes(file, bytes);
        return dir;
    }
}
