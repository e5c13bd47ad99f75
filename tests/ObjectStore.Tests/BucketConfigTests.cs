using MetricsCluster.Core.Metrics;
using Xunit;

namespace MetricsCluster.ObjectStore.Tests;

public sealed class BucketConfigTests
{
    public static TheoryData<string, Action<BucketConfig>, string> Invalid => new()
    {
        { "unknown backend", c => c.Backend = "gcs", "--blocks-storage.backend" },
        { "empty dir", c => c.FilesystemConfig.Dir = " ", "--blocks-storage.filesystem.dir" },
        { "s3 without bucket", c => c.Backend = BucketConfig.S3, "--blocks-storage.s3.bucket-name" },
        { "s3 key without secret", c => { S3(c); c.S3Config.AccessKeyId = "id"; }, "--blocks-storage.s3.secret-access-key" },
        { "s3 zero timeout", c => { S3(c); c.S3Config.RequestTimeout = TimeSpan.Zero; }, "--blocks-storage.s3.request-timeout" },
        { "negative retries", c => c.MaxRetries = -1, "--blocks-storage.max-retries" },
        { "backoff inverted", c => c.MinBackoff = TimeSpan.FromMinutes(1), "--blocks-storage.retry-min-backoff" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_names_the_offending_flag(string what, Action<BucketConfig> mutate, string flag)
    {
        var config = new BucketConfig();
        mutate(config);
        var e = Assert.Throws<ArgumentException>(config.Validate);
        Assert.True(e.Message.Contains(flag, StringComparison.Ordinal), $"{what}: {e.Message}");
    }

    [Fact]
    public void Defaults_are_valid_and_the_factory_builds_decorated_buckets_without_network()
    {
        var fs = new BucketConfig();
        fs.FilesystemConfig.Dir = Path.Combine(Path.GetTempPath(), "mc-factory-" + Guid.NewGuid().ToString("N"));
        fs.Validate();
        using (var bucket = BucketFactory.Create(fs, new MetricsRegistry(), "blocks"))
        {
            Assert.IsType<InstrumentedBucket>(bucket);
            Assert.Equal("blocks", bucket.Name);
        }

        Directory.Delete(fs.FilesystemConfig.Dir, recursive: true);

        var s3 = new BucketConfig();
        S3(s3);
        using var s3Bucket = BucketFactory.Create(s3, new MetricsRegistry());
        Assert.Equal("blocks", s3Bucket.Name);
    }

    private static void S3(BucketConfig c)
    {
        c.Backend = BucketConfig.S3;
        c.S3Config.BucketName = "blocks";
        c.S3Config.Endpoint = "127.0.0.1:9000";
        c.S3Config.Insecure = true;
    }
}
