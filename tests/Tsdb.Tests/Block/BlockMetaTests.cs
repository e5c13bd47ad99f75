using System.Text;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Block;

public class BlockMetaTests
{
    private static readonly Ulid s_ulid = Ulid.Parse("01DXXFZDYD1MQW6079WK0K6EDQ");

    [Fact]
    public void WritesMimirThanosSectionInGoFieldOrder()
    {
        var meta = new BlockMeta { Ulid = s_ulid, MinTime = 0, MaxTime = 7_200_000, Stats = { NumSamples = 5, NumSeries = 1, NumChunks = 1 } };
        meta.Compaction.Sources.Add(s_ulid);
        meta.Thanos = new ThanosMeta();
        meta.Thanos.Labels["__org_id__"] = "tenant-1";
        meta.Thanos.Files.Add(new BlockFile("chunks/000001", 36));
        meta.Thanos.Files.Add(new BlockFile("index", 206));
        meta.Thanos.Files.Add(new BlockFile("meta.json", 0));

        string expected =
            "{\n\t\"ulid\": \"01DXXFZDYD1MQW6079WK0K6EDQ\",\n\t\"minTime\": 0,\n\t\"maxTime\": 7200000,\n" +
            "\t\"stats\": {\n\t\t\"numSamples\": 5,\n\t\t\"numSeries\": 1,\n\t\t\"numChunks\": 1\n\t},\n" +
            "\t\"compaction\": {\n\t\t\"level\": 1,\n\t\t\"sources\": [\n\t\t\t\"01DXXFZDYD1MQW6079WK0K6EDQ\"\n\t\t]\n\t},\n" +
            "\t\"version\": 1,\n" +
            "\t\"thanos\": {\n\t\t\"version\": 1,\n\t\t\"labels\": {\n\t\t\t\"__org_id__\": \"tenant-1\"\n\t\t},\n" +
            "\t\t\"downsample\": {\n\t\t\t\"resolution\": 0\n\t\t},\n\t\t\"source\": \"ingester\",\n" +
            "\t\t\"files\": [\n\t\t\t{\n\t\t\t\t\"rel_path\": \"chunks/000001\",\n\t\t\t\t\"size_bytes\": 36\n\t\t\t},\n" +
            "\t\t\t{\n\t\t\t\t\"rel_path\": \"index\",\n\t\t\t\t\"size_bytes\": 206\n\t\t\t},\n" +
            "\t\t\t{\n\t\t\t\t\"rel_path\": \"meta.json\"\n\t\t\t}\n\t\t],\n\t\t\"index_stats\": {}\n\t}\n}";
        Assert.Equal(expected, Encoding.UTF8.GetString(meta.ToJson()));

        var back = BlockMeta.Parse(meta.ToJson());
        Assert.Equal(meta.ToJson(), back.ToJson());
        Assert.Equal("tenant-1", back.Thanos!.Labels["__org_id__"]);
        Assert.Equal(3, back.Thanos.Files.Count);
    }

    [Fact]
    public void WritesParentsAfterSourcesInGoFieldOrder()
    {
        var parent = Ulid.Parse("01DXXFZDYD1MQW6079WK0K6EDR");
        var meta = new BlockMeta { Ulid = s_ulid, MinTime = 0, MaxTime = 7_200_000, Compaction = { Level = 2 } };
        meta.Compaction.Sources.Add(parent);
        meta.Compaction.Parents.Add(new BlockDesc(parent, 0, 7_200_000));

        string expected =
            "{\n\t\"ulid\": \"01DXXFZDYD1MQW6079WK0K6EDQ\",\n\t\"minTime\": 0,\n\t\"maxTime\": 7200000,\n\t\"stats\": {},\n" +
            "\t\"compaction\": {\n\t\t\"level\": 2,\n\t\t\"sources\": [\n\t\t\t\"01DXXFZDYD1MQW6079WK0K6EDR\"\n\t\t],\n" +
            "\t\t\"parents\": [\n\t\t\t{\n\t\t\t\t\"ulid\": \"01DXXFZDYD1MQW6079WK0K6EDR\",\n\t\t\t\t\"minTime\": 0,\n\t\t\t\t\"maxTime\": 7200000\n\t\t\t}\n\t\t]\n\t},\n" +
            "\t\"version\": 1\n}";
        Assert.Equal(expected, Encoding.UTF8.GetString(meta.ToJson()));

        var back = BlockMeta.Parse(meta.ToJson());
        Assert.Equal([new BlockDesc(parent, 0, 7_200_000)], back.Compaction.Parents);
        Assert.Equal(meta.ToJson(), back.ToJson());
    }

    [Fact]
    public void ReadsPrometheusMetaWithUnknownFields()
    {
        // tsdb/testdata/index_format_v1/meta.json, plus a field we do not model.
        const string json = """
            { "version": 1, "ulid": "01DXXFZDYD1MQW6079WK0K6EDQ", "minTime": 0, "maxTime": 7200000,
              "stats": { "numSamples": 102, "numSeries": 102, "numChunks": 102, "numFloatSamples": 102 },
              "compaction": { "level": 1, "sources": [ "01DXXFZDYD1MQW6079WK0K6EDQ" ] } }
            """;
        var meta = BlockMeta.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(s_ulid, meta.Ulid);
        Assert.Equal(7_200_000, meta.MaxTime);
        Assert.Equal(102UL, meta.Stats.NumChunks);
        Assert.Equal([s_ulid], meta.Compaction.Sources);
        Assert.Null(meta.Thanos);
    }

    [Theory]
    [InlineData("{\"ulid\":\"01DXXFZDYD1MQW6079WK0K6EDQ\",\"minTime\":0,\"maxTime\":1,\"version\":2}")]
    [InlineData("{\"ulid\":\"nope\",\"minTime\":0,\"maxTime\":1,\"version\":1}")]
    [InlineData("{\"minTime\":0")]
    public void RejectsInvalid(string json) => Assert.Throws<InvalidDataException>(() => BlockMeta.Parse(Encoding.UTF8.GetBytes(json)));
}
