using MetricsCluster.ObjectStore;

namespace MetricsCluster.Config;

/// <summary>
/// The S3 flags of a bucket, written once for the two buckets that have them (<c>blocks-storage.s3.*</c> and
/// <c>ruler-storage.s3.*</c>, Mimir's names): each points at its own <see cref="S3BucketConfig"/>.
/// </summary>
public sealed partial class ClusterConfig
{
    /// <summary>The blocks bucket's S3 settings (<c>--blocks-storage.s3.*</c>).</summary>
    public S3BucketConfig BlocksStorageS3 { get; } = new();

    /// <summary>The rule storage's S3 settings (<c>--ruler-storage.s3.*</c>).</summary>
    public S3BucketConfig RulerStorageS3 { get; } = new();

    /// <summary>
    /// The seven S3 flags under <paramref name="prefix"/>, in help order; <paramref name="of"/> names the bucket in
    /// the help texts ("" for the blocks bucket).
    /// </summary>
    private static ConfigOption[] S3Flags(string prefix, string of, Func<ClusterConfig, S3BucketConfig> s3) =>
    [
        ConfigOption.Str(prefix + ".s3.endpoint", $"S3 endpoint{of}, host:port or a URL; empty = AWS for the region.", c => s3(c).Endpoint, (c, v) => s3(c).Endpoint = v),
        ConfigOption.Str(prefix + ".s3.bucket-name", $"S3 bucket name{of} (required for s3).", c => s3(c).BucketName, (c, v) => s3(c).BucketName = v),
        ConfigOption.Str(prefix + ".s3.region", $"S3 region{of} (signing region for custom endpoints).", c => s3(c).Region, (c, v) => s3(c).Region = v),
        ConfigOption.Str(prefix + ".s3.access-key-id", $"S3 access key id{of}; empty = the SDK's default credential chain.", c => s3(c).AccessKeyId, (c, v) => s3(c).AccessKeyId = v),
        ConfigOption.Str(prefix + ".s3.secret-access-key", $"S3 secret access key{of}; shown masked.", c => s3(c).SecretAccessKey.Length > 0 ? "********" : string.Empty, (c, v) => s3(c).SecretAccessKey = v),
        ConfigOption.Bool(prefix + ".s3.insecure", $"Use plain http to the S3 endpoint{of}.", c => s3(c).Insecure, (c, v) => s3(c).Insecure = v),
        ConfigOption.Bool(prefix + ".s3.force-path-style", $"Address the S3 bucket{of} in the path (MinIO, Ceph, moto).", c => s3(c).ForcePathStyle, (c, v) => s3(c).ForcePathStyle = v),
    ];
}
