using System.Text;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Compactor.Tests;

public sealed class BlockDeletionMarkTests
{
    private static readonly Ulid s_id = Ulid.Parse("01HZX0000000000000000000AB");

    [Fact]
    public void Marker_json_is_thanos_format_and_keys_are_mimirs_layout()
    {
        var mark = new BlockDeletionMark(s_id, 1_700_000_000);
        Assert.Equal("{\"id\":\"01HZX0000000000000000000AB\",\"deletion_time\":1700000000,\"version\":1}", Encoding.UTF8.GetString(mark.ToMarkerJson()));
        Assert.Equal(mark, BlockDeletionMark.ParseMarker(mark.ToMarkerJson(), s_id));
        Assert.Equal("t/01HZX0000000000000000000AB/deletion-mark.json", BlockDeletionMark.BlockKey("t", s_id));
        Assert.Equal("t/markers/01HZX0000000000000000000AB-deletion-mark.json", BlockDeletionMark.GlobalKey("t", s_id));
    }

    [Theory]
    [InlineData("{\"id\":\"01HZX0000000000000000000AB\",\"deletion_time\":5,\"version\":1,\"details\":\"retention\"}", 5)]
    [InlineData("{\"deletion_time\":6}", 6)]
    public void Parses_thanos_variants(string json, long expected) =>
        Assert.Equal(new BlockDeletionMark(s_id, expected), BlockDeletionMark.ParseMarker(Encoding.UTF8.GetBytes(json), s_id));

    [Theory]
    [InlineData("{\"id\":\"01HZX0000000000000000000AC\",\"deletion_time\":5,\"version\":1}", "marker names block")]
    [InlineData("{\"id\":\"01HZX0000000000000000000AB\",\"deletion_time\":5,\"version\":2}", "unsupported version 2")]
    [InlineData("{\"id\":\"01HZX0000000000000000000AB\",\"version\":1}", "deletion_time")]
    [InlineData("{\"id\":", "invalid")]
    public void Rejects_bad_markers_naming_the_block(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => BlockDeletionMark.ParseMarker(Encoding.UTF8.GetBytes(json), s_id));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(s_id.ToString(), e.Message, StringComparison.Ordinal);
    }
}
