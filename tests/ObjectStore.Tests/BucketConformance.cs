using System.Text;
using Xunit;

namespace MetricsCluster.ObjectStore.Tests;

/// <summary>
/// The IBucket contract (G18 conformance base): every backend inherits this class once, so the filesystem
/// and S3 buckets are held to the same semantics.
/// </summary>
public abstract class BucketConformance : IDisposable
{
    protected abstract IBucket Bucket { get; }

    public virtual void Dispose()
    {
        Bucket.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Upload_then_get_returns_the_bytes_and_attributes()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        await Put("tenant/01A/meta.json", "{\"ulid\":\"01A\"}");

        Assert.Equal("{\"ulid\":\"01A\"}", await GetString("tenant/01A/meta.json"));
        Assert.True(await Bucket.ExistsAsync("tenant/01A/meta.json", Ct));
        var attrs = await Bucket.AttributesAsync("tenant/01A/meta.json", Ct);
        Assert.Equal(14, attrs.Size);
        Assert.InRange(attrs.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task Upload_replaces_an_existing_object()
    {
        await Put("k", "first, longer content");
        await Put("k", "second");
        Assert.Equal("second", await GetString("k"));
        Assert.Equal(6, (await Bucket.AttributesAsync("k", Ct)).Size);
    }

    [Fact]
    public async Task Upload_reads_from_the_stream_position_and_leaves_it_open()
    {
        var content = new MemoryStream(Encoding.UTF8.GetBytes("skip-keep"));
        content.Position = 5;
        await Bucket.UploadAsync("partial", content, Ct);
        Assert.Equal("keep", await GetString("partial"));
        Assert.True(content.CanRead);
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        await Put("empty", string.Empty);
        Assert.Equal(string.Empty, await GetString("empty"));
        Assert.Equal(0, (await Bucket.AttributesAsync("empty", Ct)).Size);
        Assert.Empty(await ReadAll(await Bucket.GetRangeAsync("empty", 0, 10, Ct)));
    }

    [Fact]
    public async Task Large_object_round_trips_whole_and_in_ranges()
    {
        var data = new byte[5 * 1024 * 1024 + 123];
        new Random(42).NextBytes(data);
        await Bucket.UploadAsync("tenant/01B/chunks/000001", new MemoryStream(data), Ct);

        Assert.Equal(data, await ReadAll(await Bucket.GetAsync("tenant/01B/chunks/000001", Ct)));
        Assert.Equal(data.AsSpan(3_000_000, 1_000_000).ToArray(), await ReadAll(await Bucket.GetRangeAsync("tenant/01B/chunks/000001", 3_000_000, 1_000_000, Ct)));
        Assert.Equal(data.LongLength, (await Bucket.AttributesAsync("tenant/01B/chunks/000001", Ct)).Size);
    }

    [Theory]
    [InlineData(0, 3, "012")]
    [InlineData(4, 2, "45")]
    [InlineData(5, -1, "56789")]
    [InlineData(0, -1, "0123456789")]
    [InlineData(8, 10, "89")]
    [InlineData(3, 0, "")]
    [InlineData(10, 5, "")]
    [InlineData(20, -1, "")]
    public async Task Ranged_get_returns_the_bytes_that_exist(long offset, long length, string expected)
    {
        await Put("digits", "0123456789");
        Assert.Equal(expected, Encoding.UTF8.GetString(await ReadAll(await Bucket.GetRangeAsync("digits", offset, length, Ct))));
    }

    [Fact]
    public async Task Missing_object_throws_not_found_for_reads_and_is_fine_for_exists_and_delete()
    {
        await Put("tenant/present", "x");
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Bucket.GetAsync("tenant/missing", Ct));
        Assert.Contains("tenant/missing", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Bucket.GetAsync("nowhere/at/all", Ct));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Bucket.GetRangeAsync("tenant/missing", 0, 1, Ct));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Bucket.GetRangeAsync("tenant/missing", 0, 0, Ct));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Bucket.AttributesAsync("tenant/missing", Ct));
        Assert.False(await Bucket.ExistsAsync("tenant/missing", Ct));
        await Bucket.DeleteAsync("tenant/missing", Ct);
        await Bucket.DeleteAsync("nowhere/at/all", Ct);
    }

    [Fact]
    public async Task A_directory_is_not_an_object()
    {
        await Put("tenant/01A/index", "x");
        Assert.False(await Bucket.ExistsAsync("tenant/01A", Ct));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Bucket.GetAsync("tenant/01A", Ct));
    }

    [Fact]
    public async Task Delete_removes_the_object_and_its_now_empty_directories_from_listings()
    {
        await Put("tenant/01A/chunks/000001", "c");
        await Put("tenant/01A/meta.json", "m");
        await Put("tenant/01B/meta.json", "m");

        await Bucket.DeleteAsync("tenant/01A/chunks/000001", Ct);
        Assert.False(await Bucket.ExistsAsync("tenant/01A/chunks/000001", Ct));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Bucket.GetAsync("tenant/01A/chunks/000001", Ct));
        Assert.Equal(["tenant/01A/meta.json"], await List("tenant/01A/", recursive: false));

        await Bucket.DeleteAsync("tenant/01A/meta.json", Ct);
        Assert.Equal(["tenant/01B/"], await List("tenant/", recursive: false));
        Assert.Equal("m", await GetString("tenant/01B/meta.json"));
    }

    [Fact]
    public async Task List_follows_the_block_layout_recursively_and_not()
    {
        string[] keys =
        [
            "tenant/01A/meta.json", "tenant/01A/index", "tenant/01A/chunks/000001", "tenant/01A/chunks/000002",
            "tenant/bucket-index.json.gz", "tenant/markers/01A-deletion-mark.json", "other/01C/meta.json",
        ];
        foreach (var k in keys)
        {
            await Put(k, k);
        }

        Assert.Equal(["other/", "tenant/"], await List(string.Empty, recursive: false));
        Assert.Equal(["tenant/01A/", "tenant/bucket-index.json.gz", "tenant/markers/"], await List("tenant/", recursive: false));
        Assert.Equal(["tenant/01A/", "tenant/bucket-index.json.gz", "tenant/markers/"], await List("tenant", recursive: false));
        Assert.Equal(["tenant/01A/chunks/", "tenant/01A/index", "tenant/01A/meta.json"], await List("tenant/01A", recursive: false));
        Assert.Equal(
            ["tenant/01A/chunks/000001", "tenant/01A/chunks/000002", "tenant/01A/index", "tenant/01A/meta.json", "tenant/bucket-index.json.gz", "tenant/markers/01A-deletion-mark.json"],
            await List("tenant/", recursive: true));
        Assert.Equal(keys.Order(StringComparer.Ordinal), await List(string.Empty, recursive: true));
        Assert.Empty(await List("missing/", recursive: true));
        Assert.Empty(await List("missing/", recursive: false));
        Assert.Empty(await List("tenan", recursive: false));
    }

    [Fact]
    public async Task Keys_with_spaces_and_unicode_round_trip_and_list()
    {
        const string key = "tenant a/blöck ü/日本語 file (1).json";
        await Put(key, "ünïcode");
        Assert.Equal("ünïcode", await GetString(key));
        Assert.True(await Bucket.ExistsAsync(key, Ct));
        Assert.Equal([key], await List("tenant a/blöck ü/", recursive: false));
        Assert.Equal(["tenant a/blöck ü/"], await List("tenant a", recursive: false));
        Assert.Equal([key], await List(string.Empty, recursive: true));
        await Bucket.DeleteAsync(key, Ct);
        Assert.False(await Bucket.ExistsAsync(key, Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("dir/")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    [InlineData("..")]
    [InlineData("../escape")]
    [InlineData("./a")]
    public async Task Invalid_keys_are_rejected(string key)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Bucket.UploadAsync(key, new MemoryStream([1]), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Bucket.GetAsync(key, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Bucket.DeleteAsync(key, Ct));
    }

    protected Task Put(string key, string content) =>
        Bucket.UploadAsync(key, new MemoryStream(Encoding.UTF8.GetBytes(content)), Ct);

    protected async Task<string> GetString(string key) =>
        Encoding.UTF8.GetString(await ReadAll(await Bucket.GetAsync(key, Ct)));

    protected async Task<List<string>> List(string prefix, bool recursive)
    {
        var keys = new List<string>();
        await foreach (var k in Bucket.ListAsync(prefix, recursive, Ct))
        {
            keys.Add(k);
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    protected static async Task<byte[]> ReadAll(Stream stream)
    {
        await using (stream)
        {
            var ms = new MemoryStream();
            await stream.CopyToAsync(ms, Ct);
            return ms.ToArray();
        }
    }
}
