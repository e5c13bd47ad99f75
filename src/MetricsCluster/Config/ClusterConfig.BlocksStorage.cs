using MetricsCluster.ObjectStore;

namespace MetricsCluster.Config;

/// <summary>The blocks bucket's settings: backend, filesystem and S3 (G5).</summary>
public sealed partial class ClusterConfig
{
    /// <summary>Blocks bucket backend, <c>filesystem</c> or <c>s3</c> (<c>--blocks-storage.backend</c>).</summary>
    public string BlocksStorageBackend { get; set; } = ObjectStore.BucketConfig.Filesystem;

    /// <summary>Filesystem bucket root; empty = <c>&lt;data.dir&gt;/bucket</c> (<c>--blocks-storage.filesystem.dir</c>).</summary>
    public string BlocksStorageFilesystemDir { get; set; } = string.Empty;

    /// <summary>S3 endpoint, <c>host:port</c> or URL; empty = AWS (<c>--blocks-storage.s3.endpoint</c>).</summary>
    public string S3Endpoint { get; set; } = string.Empty;

    /// <summary>S3 bucket name (<c>--blocks-storage.s3.bucket-name</c>).</summary>
    public string S3BucketName { get; set; } = string.Empty;

    /// <summary>S3 region (<c>--blocks-storage.s3.region</c>).</summary>
    public string S3Region { get; set; } = "us-east-1";

    /// <summary>S3 access key id; empty = SDK default chain (<c>--blocks-storage.s3.access-key-id</c>).</summary>
    public string S3AccessKeyId { get; set; } = string.Empty;

    /// <summary>S3 secret access key (<c>--blocks-storage.s3.secret-access-key</c>); masked in the config dump.</summary>
    public string S3SecretAccessKey { get; set; } = string.Empty;

    /// <summary>Plain http to the S3 endpoint (<c>--blocks-storage.s3.insecure</c>).</summary>
    public bool S3Insecure { get; set; }

    /// <summary>Path-style S3 addressing, needed by most self-hosted servers (<c>--blocks-storage.s3.force-path-style</c>).</summary>
    public bool S3ForcePathStyle { get; set; }

    /// <summary>The blocks bucket settings derived from this config.</summary>
    public BucketConfig BucketConfig()
    {
        var c = new BucketConfig { Backend = BlocksStorageBackend };
        c.FilesystemConfig.Dir = BlocksStorageFilesystemDir.Length > 0 ? BlocksStorageFilesystemDir : Path.Combine(DataDir, "bucket");
        c.S3Config.Endpoint = S3Endpoint;
        c.S3Config.BucketName = S3BucketName;
        c.S3Config.Region = S3Region;
        c.S3Config.AccessKeyId = S3AccessKeyId;
        c.S3Config.SecretAccessKey = S3SecretAccessKey;
        c.S3Config.Insecure = S3Insecure;
        c.S3Config.ForcePathStyle = S3ForcePathStyle;
        return c;
    }

    /// <summary>The blocks bucket's flags, in help order.</summary>
    internal static readonly ConfigOption[] BucketFlags =
    [
        ConfigOption.Str("blocks-storage.backend", "Blocks bucket backend: filesystem or s3.", c => c.BlocksStorageBackend, (c, v) => c.BlocksStorageBackend = v),
        ConfigOption.Str("blocks-storage.filesystem.dir", "Filesystem bucket root; empty = <data.dir>/bucket.", c => c.BlocksStorageFilesystemDir, (c, v) => c.BlocksStorageFilesystemDir = v),
        ConfigOption.Str("blocks-storage.s3.endpoint", "S3 endpoint, host:port or a URL; empty = AWS for the region.", c => c.S3Endpoint, (c, v) => c.S3Endpoint = v),
        ConfigOption.Str("blocks-storage.s3.bucket-name", "S3 bucket name (required for s3).", c => c.S3BucketName, (c, v) => c.S3BucketName = v),
        ConfigOption.Str("blocks-storage.s3.region", "S3 region (signing region for custom endpoints).", c => c.S3Region, (c, v) => c.S3Region = v),
        ConfigOption.Str("blocks-storage.s3.access-key-id", "S3 access key id; empty = the SDK's default credential chain.", c => c.S3AccessKeyId, (c, v) => c.S3AccessKeyId = v),
        ConfigOption.Str("blocks-storage.s3.secret-access-key", "S3 secret access key; shown masked.", c => c.S3SecretAccessKey.Length > 0 ? "********" : string.Empty, (c, v) => c.S3SecretAccessKey = v),
        ConfigOption.Bool("blocks-storage.s3.insecure", "Use plain http to the S3 endpoint.", c => c.S3Insecure, (c, v) => c.S3Insecure = v),
        ConfigOption.Bool("blocks-storage.s3.force-path-style", "Address the S3 bucket in the path (MinIO, Ceph, moto).", c => c.S3ForcePathStyle, (c, v) => c.S3ForcePathStyle = v),
    ];
}
