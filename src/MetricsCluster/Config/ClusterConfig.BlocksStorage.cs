using MetricsCluster.ObjectStore;

namespace MetricsCluster.Config;

/// <summary>The blocks bucket's settings: backend, filesystem and S3 (G5).</summary>
public sealed partial class ClusterConfig
{
    /// <summary>Blocks bucket backend, <c>filesystem</c> or <c>s3</c> (<c>--blocks-storage.backend</c>).</summary>
    public string BlocksStorageBackend { get; set; } = ObjectStore.BucketConfig.Filesystem;

    /// <summary>Filesystem bucket root; empty = <c>&lt;data.dir&gt;/bucket</c> (<c>--blocks-storage.filesystem.dir</c>).</summary>
    public string BlocksStorageFilesystemDir { get; set; } = string.Empty;

    /// <summary>The blocks bucket settings derived from this config.</summary>
    public BucketConfig BucketConfig()
    {
        var c = new BucketConfig { Backend = BlocksStorageBackend, S3Config = BlocksStorageS3 };
        c.FilesystemConfig.Dir = BlocksStorageFilesystemDir.Length > 0 ? BlocksStorageFilesystemDir : Path.Combine(DataDir, "bucket");
        return c;
    }

    /// <summary>The blocks bucket's flags, in help order.</summary>
    internal static readonly ConfigOption[] BucketFlags =
    [
        ConfigOption.Str("blocks-storage.backend", "Blocks bucket backend: filesystem or s3.", c => c.BlocksStorageBackend, (c, v) => c.BlocksStorageBackend = v),
        ConfigOption.Str("blocks-storage.filesystem.dir", "Filesystem bucket root; empty = <data.dir>/bucket.", c => c.BlocksStorageFilesystemDir, (c, v) => c.BlocksStorageFilesystemDir = v),
        .. S3Flags("blocks-storage", string.Empty, c => c.BlocksStorageS3),
    ];
}
