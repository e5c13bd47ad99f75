using MetricsCluster.Config;
using Xunit;

namespace MetricsCluster.Host.Tests;

public sealed class BlocksStorageConfigTests
{
    [Fact]
    public async Task Blocks_storage_flags_feed_the_bucket_and_shipper_options()
    {
        var c = await Run(
            "--data.dir=/tmp/d",
            "--blocks-storage.backend=s3",
            "--blocks-storage.s3.endpoint=127.0.0.1:9000",
            "--blocks-storage.s3.bucket-name=blocks",
            "--blocks-storage.s3.region=eu-west-1",
            "--blocks-storage.s3.access-key-id=AK",
            "--blocks-storage.s3.secret-access-key=SK",
            "--blocks-storage.s3.insecure=true",
            "--blocks-storage.tsdb.ship-interval=30s",
            "--blocks-storage.tsdb.retention-period=2h");

        var b = c.BucketConfig();
        Assert.Equal("s3", b.Backend);
        Assert.Equal(("127.0.0.1:9000", "blocks", "eu-west-1", "AK", "SK", true), (b.S3Config.Endpoint, b.S3Config.BucketName, b.S3Config.Region, b.S3Config.AccessKeyId, b.S3Config.SecretAccessKey, b.S3Config.Insecure));
        var s = c.ShipperOptions();
        Assert.Equal((Path.Combine("/tmp/d", "tsdb"), TimeSpan.FromSeconds(30)), (s.TsdbDir, s.ShipInterval));
        Assert.Equal(TimeSpan.FromHours(2), c.IngesterOptions().LocalRetentionPeriod);
        Assert.Contains("secret_access_key: \"********\"", ConfigDump.ToYaml(c), StringComparison.Ordinal);
        Assert.DoesNotContain("SK", ConfigDump.ToYaml(c), StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_follow_mimir_and_the_bucket_sits_under_data_dir()
    {
        var c = new ClusterConfig { DataDir = "/var/mc" };
        Assert.Equal(("filesystem", Path.Combine("/var/mc", "bucket")), (c.BucketConfig().Backend, c.BucketConfig().FilesystemConfig.Dir));
        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromHours(13)), (c.TsdbShipInterval, c.TsdbRetentionPeriod));
    }

    [Fact]
    public async Task Store_gateway_and_querier_horizons_default_to_mimir_and_follow_their_flags()
    {
        var d = new ClusterConfig { DataDir = "/var/mc" };
        Assert.Equal((Path.Combine("/var/mc", "store-gateway"), TimeSpan.FromMinutes(15)), (d.BucketStoreOptions().SyncDir, d.BucketStoreOptions().SyncInterval));
        Assert.Equal((TimeSpan.FromHours(13), TimeSpan.FromHours(12)), (d.MergeQueryableOptions().QueryIngestersWithin, d.MergeQueryableOptions().QueryStoreAfter));

        var c = await Run("--blocks-storage.bucket-store.sync-interval=1m", "--querier.query-ingesters-within=0s", "--querier.query-store-after=0s");
        Assert.Equal(TimeSpan.FromMinutes(1), c.BucketStoreOptions().SyncInterval);
        Assert.Equal((TimeSpan.Zero, TimeSpan.Zero), (c.MergeQueryableOptions().QueryIngestersWithin, c.MergeQueryableOptions().QueryStoreAfter));
    }

    [Fact]
    public async Task Chunks_cache_and_lazy_index_header_flags_reach_the_bucket_store_options()
    {
        var d = new ClusterConfig().BucketStoreOptions();
        Assert.Equal(("inmemory", 512L << 20, true, TimeSpan.FromMinutes(60)), (d.ChunksCacheBackend, d.ChunksCacheMaxSizeBytes, d.IndexHeaderLazyLoadingEnabled, d.IndexHeaderLazyLoadingIdleTimeout));

        var o = (await Run(
            "--blocks-storage.bucket-store.chunks-cache.backend=memcached",
            "--blocks-storage.bucket-store.chunks-cache.memcached.addresses=a:11211, b:11211",
            "--blocks-storage.bucket-store.chunks-cache.memcached.timeout=1s",
            "--blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes=1000",
            "--blocks-storage.bucket-store.index-header.lazy-loading-enabled=false",
            "--blocks-storage.bucket-store.index-header.lazy-loading-idle-timeout=5m")).BucketStoreOptions();
        Assert.Equal(["a:11211", "b:11211"], o.ChunksCacheMemcachedAddresses);
        Assert.Equal(("memcached", TimeSpan.FromSeconds(1), 1000L, false, TimeSpan.FromMinutes(5)), (o.ChunksCacheBackend, o.ChunksCacheMemcachedTimeout, o.ChunksCacheMaxSizeBytes, o.IndexHeaderLazyLoadingEnabled, o.IndexHeaderLazyLoadingIdleTimeout));
        Assert.Equal("none", (await Run("--blocks-storage.bucket-store.chunks-cache.backend=none")).BucketStoreOptions().ChunksCacheBackend);
    }

    [Theory]
    [InlineData("blocks-storage.backend", "gcs", "--blocks-storage.backend")]
    [InlineData("blocks-storage.tsdb.ship-interval", "0s", "--blocks-storage.tsdb.ship-interval")]
    [InlineData("blocks-storage.bucket-store.sync-interval", "0s", "--blocks-storage.bucket-store.sync-interval")]
    [InlineData("blocks-storage.bucket-store.chunks-cache.backend", "redis", "-blocks-storage.bucket-store.chunks-cache.backend")]
    [InlineData("blocks-storage.bucket-store.chunks-cache.backend", "memcached", "-blocks-storage.bucket-store.chunks-cache.memcached.addresses")]
    [InlineData("blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes", "-1", "-blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes")]
    [InlineData("blocks-storage.bucket-store.index-header.lazy-loading-idle-timeout", "0s", "-blocks-storage.bucket-store.index-header.lazy-loading-idle-timeout")]
    [InlineData("querier.query-store-after", "13h", "--querier.query-store-after")]
    [InlineData("querier.query-ingesters-within", "1h", "--querier.query-ingesters-within")]
    public void Invalid_settings_name_the_flag(string flag, string value, string expected)
    {
        var c = new ClusterConfig();
        ConfigOption.All.Single(o => o.Flag == flag).Set(c, value);
        var e = Assert.Throws<ConfigException>(c.Validate);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_bucket_has_its_own_s3_settings_and_its_errors_name_its_own_flags()
    {
        var c = await Run(
            "--blocks-storage.backend=s3",
            "--blocks-storage.s3.bucket-name=blocks",
            "--blocks-storage.s3.endpoint=127.0.0.1:9000",
            "--ruler-storage.backend=s3",
            "--ruler-storage.s3.bucket-name=rules",
            "--ruler-storage.s3.region=eu-west-1",
            "--ruler-storage.s3.force-path-style=true");
        var (b, r) = (c.BucketConfig().S3Config, c.RulerBucketConfig().S3Config);
        Assert.Equal(("blocks", "127.0.0.1:9000", "us-east-1", false), (b.BucketName, b.Endpoint, b.Region, b.ForcePathStyle));
        Assert.Equal(("rules", string.Empty, "eu-west-1", true), (r.BucketName, r.Endpoint, r.Region, r.ForcePathStyle));

        // Before the two shared one S3 validation, a rule storage mistake named --blocks-storage flags.
        var bad = new ClusterConfig { RulerStorageBackend = "s3" };
        bad.RulerStorageS3.AccessKeyId = "AK";
        var e = Assert.Throws<ConfigException>(bad.Validate);
        Assert.Contains("--ruler-storage.s3.bucket-name must be set", e.Message, StringComparison.Ordinal);
        bad.RulerStorageS3.BucketName = "rules";
        e = Assert.Throws<ConfigException>(bad.Validate);
        Assert.Contains("--ruler-storage.s3.access-key-id and --ruler-storage.s3.secret-access-key must be set together", e.Message, StringComparison.Ordinal);
    }

    private static async Task<ClusterConfig> Run(params string[] args)
    {
        ClusterConfig? seen = null;
        var root = Config.CommandLine.Build((c, _) =>
        {
            seen = c;
            return Task.FromResult(0);
        });
        Assert.Equal(0, await root.Parse(args).InvokeAsync());
        return seen!;
    }
}
