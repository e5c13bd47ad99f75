using System.Text;
using MetricsCluster.ObjectStore;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Storage.Tests;

public sealed class BucketIndexTests : IDisposable
{
    private readonly TestDirs _dirs = new();

    public void Dispose() => _dirs.Dispose();

    [Fact]
    public async Task Writer_indexes_complete_blocks_and_marks_and_reader_round_trips()
    {
        var metas = Enumerable.Range(0, 3).Select(i => _dirs.CutBlock(i * 7_200_000L)).ToList();
        using var bucket = new FilesystemBucket(_dirs.BucketDir);
        await _dirs.Shipper(bucket).ShipAsync();

        // A partial block (no meta.json), a block with a corrupt meta.json and a deletion mark for the first block.
        var partial = Ulid.New(1, new Random(9));
        await bucket.UploadAsync($"{TestDirs.Tenant}/{partial}/index", new MemoryStream([1, 2, 3]));
        await bucket.UploadAsync($"{TestDirs.Tenant}/{Ulid.New(2, new Random(8))}/meta.json", new MemoryStream("{\"ulid\":"u8.ToArray()));
        await bucket.UploadAsync(
            $"{TestDirs.Tenant}/markers/{metas[0].Ulid}-deletion-mark.json",
            new MemoryStream(Encoding.UTF8.GetBytes($"{{\"id\":\"{metas[0].Ulid}\",\"deletion_time\":1700000000,\"version\":1}}")));

        var clock = new FixedClock(1_800_000_000_000);
        var written = await new BucketIndexWriter(bucket, clock, NullLogger.Instance).WriteAsync(TestDirs.Tenant);
        var read = await new BucketIndexReader(bucket).ReadAsync(TestDirs.Tenant);

        Assert.NotNull(read);
        Assert.Equal(1_800_000_000, read.UpdatedAt);
        Assert.Equal(metas.Select(m => m.Ulid).Order(), read.Blocks.Select(b => b.Id));
        Assert.Equal(written.Blocks, read.Blocks);
        Assert.All(read.Blocks, b =>
        {
            var m = metas.Single(x => x.Ulid == b.Id);
            Assert.Equal((m.MinTime, m.MaxTime), (b.MinTime, b.MaxTime));
            Assert.True(b.UploadedAt > 1_600_000_000, "uploaded_at comes from the meta.json object's last-modified time");
        });
        Assert.Equal([new BlockDeletionMark(metas[0].Ulid, 1_700_000_000)], read.BlockDeletionMarks);
    }

    [Fact]
    public async Task Reader_returns_null_without_an_index()
    {
        using var bucket = new FilesystemBucket(_dirs.BucketDir);
        Assert.Null(await new BucketIndexReader(bucket).ReadAsync("nobody"));
    }

    [Fact]
    public void Json_uses_mimirs_field_names_and_parses_back()
    {
        var id = Ulid.Parse("01HZX0000000000000000000AB");
        var index = new BucketIndex { UpdatedAt = 42 };
        index.Blocks.Add(new BucketIndexBlock(id, 1, 2, 3, "ingester", 1));
        index.BlockDeletionMarks.Add(new BlockDeletionMark(id, 4));

        string json = Encoding.UTF8.GetString(index.ToJson());

        Assert.Equal(
            "{\"version\":1,\"blocks\":[{\"block_id\":\"01HZX0000000000000000000AB\",\"min_time\":1,\"max_time\":2,\"uploaded_at\":3,\"source\":\"ingester\",\"compaction_level\":1}],"
            + "\"block_deletion_marks\":[{\"block_id\":\"01HZX0000000000000000000AB\",\"deletion_time\":4}],\"updated_at\":42}",
            json);
        var back = BucketIndex.ParseGzip(index.ToGzip());
        Assert.Equal(index.Blocks, back.Blocks);
        Assert.Equal(index.BlockDeletionMarks, back.BlockDeletionMarks);
        Assert.Equal(42, back.UpdatedAt);
        Assert.Throws<InvalidDataException>(() => BucketIndex.Parse("{\"version\":2,\"blocks\":[],\"updated_at\":1}"u8));
    }
}
