using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Block;

/// <summary>Inputs found by tests/Fuzz (G19) that once escaped <see cref="IndexReader"/> as something other than <see cref="BlockCorruptionException"/>.</summary>
public sealed class IndexReaderFuzzRegressionTests
{
    public static TheoryData<string, string> Inputs => new()
    {
        // Crash index/49d9b622 (checksums re-sealed): a postings offset table entry whose list offset is a 10-byte
        // uvarint above long.MaxValue threw OverflowException.
        { "uqrXAAIAAAAiAAAABwhfX25hbWVfXwFhAWIDam9iBG5vZGUEdGVtcAJ1cLqAulMAEAIABQMBAYCgq/75YuDUAwhgMieIAAAAAAAAAAAAAAASAgAGAwICgKCrM/liAWQBAcgB81KqhQAAAAAAAAAAAA8CAAYDBAGAoKv++WIArAJK3ZDgAAAAEAAAAAMAAAADAAAABQAAAAcGN2ubAAAACAAAAAEAAAADp2ku0gAAAAx/AAACAAAABQAAAAedhSlTAAAACAAAAAEAAAADp2ku0gAAAAgAAAABAAAABYHIyToAAACIAAAAAQAAAAdg87nNAAAARwAAAAYCAACEAQIIX19uYW1lX18EdGVtcJwBAghfX25hbWVfXwJ1cKwBAgNqb2IBYf///////////wEBAgNqb2IEbm9kZeABooUQQgAAAAAAAAAFAAAAAAAAAC8AAAAAAAAAhAAAAAAAAADwAAAAAAAAAIQAAAAAAAAA8NqoaW4=", "postings list offset 18446744073709551615 is past any file" },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Damaged_index_is_a_block_corruption(string base64, string expected)
    {
        var e = Assert.Throws<BlockCorruptionException>(() => new IndexReader(Convert.FromBase64String(base64)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
