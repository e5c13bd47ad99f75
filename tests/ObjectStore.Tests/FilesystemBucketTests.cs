using Xunit;

namespace MetricsCluster.ObjectStore.Tests;

/// <summary>The bucket contract on the filesystem backend, plus its own guarantees.</summary>
public sealed class FilesystemBucketTests : BucketConformance
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mc-fsbucket-" + Guid.NewGuid().ToString("N"));
    private readonly FilesystemBucket _bucket;

    public FilesystemBucketTests()
    {
        _bucket = new FilesystemBucket(Path.Combine(_dir, "bucket"), "fs");
    }

    protected override IBucket Bucket => _bucket;

    public override void Dispose()
    {
        base.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Objects_are_files_under_the_root_and_no_temp_files_remain()
    {
        await Put("tenant/01A/meta.json", "m");
        Assert.Equal("m", File.ReadAllText(Path.Combine(_dir, "bucket", "tenant", "01A", "meta.json")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_dir, "bucket", FilesystemBucket.TempDirectoryName)));
    }

    [Fact]
    public async Task Deleting_the_last_object_removes_empty_parent_directories_but_not_the_root()
    {
        await Put("tenant/01A/chunks/000001", "c");
        await Bucket.DeleteAsync("tenant/01A/chunks/000001", Ct);
        Assert.False(Directory.Exists(Path.Combine(_dir, "bucket", "tenant")));
        Assert.True(Directory.Exists(Path.Combine(_dir, "bucket")));
    }

    [Fact]
    public async Task A_directory_with_no_object_below_it_is_not_listed()
    {
        // What an upload killed between creating the object's parent directories and renaming the object in leaves
        // (kill -9 of the compactor as it began uploading a block): the block's dir with an empty chunks/ in it.
        Directory.CreateDirectory(Path.Combine(_dir, "bucket", "tenant", "01B", "chunks"));
        Directory.CreateDirectory(Path.Combine(_dir, "bucket", "empty-tenant"));
        await Put("tenant/01A/meta.json", "m");
        Assert.Equal(["tenant/01A/"], await List("tenant/", recursive: false));
        Assert.Equal(["tenant/"], await List(string.Empty, recursive: false));
        Assert.Empty(await List("tenant/01B/", recursive: false));
    }

    [Fact]
    public async Task A_failed_upload_leaves_neither_a_partial_object_nor_a_temp_file()
    {
        await Put("k", "old");
        await Assert.ThrowsAsync<IOException>(() => Bucket.UploadAsync("k", new FailingStream(), Ct));
        Assert.Equal("old", await GetString("k"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_dir, "bucket", FilesystemBucket.TempDirectoryName)));
    }

    [Fact]
    public async Task Readers_keep_the_old_content_while_an_upload_replaces_it()
    {
        await Put("k", "old");
        await using var reader = await Bucket.GetAsync("k", Ct);
        await Put("k", "new");
        using var sr = new StreamReader(reader);
        Assert.Equal("old", await sr.ReadToEndAsync(Ct));
        Assert.Equal("new", await GetString("k"));
    }

    [Theory]
    [InlineData(".mc~tmp")]
    [InlineData(".mc~tmp/x")]
    public async Task The_temp_directory_is_reserved_and_never_listed(string key)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Bucket.UploadAsync(key, new MemoryStream([1]), Ct));
        await Put("a", "x");
        Assert.Equal(["a"], await List(string.Empty, recursive: false));
        Assert.Equal(["a"], await List(string.Empty, recursive: true));
    }

    [Fact]
    public async Task The_temp_directory_name_is_not_a_valid_tenant_id()
    {
        // A tenant id must never name the reserved directory, or that tenant's blocks could not be stored.
        Assert.NotNull(Core.TenantId.Validate(FilesystemBucket.TempDirectoryName));
        string[] keys = [".mc-tmp/01A/meta.json", ".a/01A/meta.json", "x.tmp/01A/meta.json", "a.tmp.b/01A/meta.json"];
        foreach (string key in keys)
        {
            await Put(key, key);
        }

        Assert.Equal([".a/", ".mc-tmp/", "a.tmp.b/", "x.tmp/"], await List(string.Empty, recursive: false));
        Assert.Equal(keys.Order(StringComparer.Ordinal), await List(string.Empty, recursive: true));
        Assert.Equal(".mc-tmp/01A/meta.json", await GetString(".mc-tmp/01A/meta.json"));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("../bucket-evil/x")]
    [InlineData("a/../../x")]
    [InlineData("/x")]
    [InlineData("a\0b")]
    [InlineData("a/\0/b")]
    public async Task Keys_escaping_the_root_are_refused_by_every_operation_and_create_nothing(string key)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Bucket.UploadAsync(key, new MemoryStream([1]), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Bucket.GetAsync(key, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Bucket.GetRangeAsync(key, 0, 1, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Bucket.ExistsAsync(key, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Bucket.DeleteAsync(key, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Bucket.AttributesAsync(key, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => List(key, recursive: true));
        Assert.Equal([Path.Combine(_dir, "bucket")], Directory.GetFileSystemEntries(_dir));
        Assert.False(File.Exists("/x"));
    }

    private sealed class FailingStream : Stream
    {
        private int _reads;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_reads++ > 0)
            {
                throw new IOException("source failed mid-upload");
            }

            buffer[offset] = (byte)'p';
            return 1;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The contract holds through the retry/metrics decorator too.</summary>
public sealed class InstrumentedFilesystemBucketTests : BucketConformance
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mc-fsbucket-" + Guid.NewGuid().ToString("N"));

    public InstrumentedFilesystemBucketTests()
    {
        var config = new BucketConfig { Backend = BucketConfig.Filesystem };
        config.FilesystemConfig.Dir = _dir;
        Bucket = BucketFactory.Create(config, new Core.Metrics.MetricsRegistry(), "blocks");
    }

    protected override IBucket Bucket { get; }

    public override void Dispose()
    {
        base.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
