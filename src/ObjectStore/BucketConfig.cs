namespace MetricsCluster.ObjectStore;

/// <summary>
/// Object-storage settings (G5). The host binds them from YAML (<c>blocks_storage:</c>, snake_case keys) and
/// from the flags named on each property; <see cref="Validate"/> runs at start-up.
/// </summary>
public sealed class BucketConfig
{
    /// <summary>The <c>filesystem</c> backend.</summary>
    public const string Filesystem = "filesystem";

    /// <summary>The <c>s3</c> backend.</summary>
    public const string S3 = "s3";

    /// <summary>Gets or sets the backend: <c>filesystem</c> (default) or <c>s3</c>. Flag <c>--blocks-storage.backend</c>.</summary>
    public string Backend { get; set; } = Filesystem;

    /// <summary>Gets the filesystem backend's settings.</summary>
    public FilesystemBucketConfig FilesystemConfig { get; } = new();

    /// <summary>Gets the S3 backend's settings.</summary>
    public S3BucketConfig S3Config { get; init; } = new();

    /// <summary>
    /// Gets the flag prefix of this bucket's settings, named in validation errors: <c>blocks-storage</c> (default) or
    /// <c>ruler-storage</c>, so that a mistake in the rule storage's settings names the flag the user set.
    /// </summary>
    public string FlagPrefix { get; init; } = "blocks-storage";

    /// <summary>Gets or sets how many times a transiently failing operation is retried (0 disables retries). Flag <c>--blocks-storage.max-retries</c>.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the first retry delay; later ones double, with jitter. Flag <c>--blocks-storage.retry-min-backoff</c>.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets the longest retry delay. Flag <c>--blocks-storage.retry-max-backoff</c>.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending flag when a setting is invalid.</summary>
    public void Validate()
    {
        switch (Backend)
        {
            case Filesystem:
                if (string.IsNullOrWhiteSpace(FilesystemConfig.Dir))
                {
                    throw new ArgumentException($"--{FlagPrefix}.filesystem.dir must be set for the filesystem backend");
                }

                break;
            case S3:
                S3Config.Validate(FlagPrefix);
                break;
            default:
                throw new ArgumentException($"--{FlagPrefix}.backend: unsupported backend '{Backend}' (supported: {Filesystem}, {S3})");
        }

        if (MaxRetries < 0)
        {
            throw new ArgumentException($"--{FlagPrefix}.max-retries must not be negative, got {MaxRetries}");
        }

        if (MinBackoff <= TimeSpan.Zero || MaxBackoff < MinBackoff)
        {
            throw new ArgumentException($"--{FlagPrefix}.retry-min-backoff ({MinBackoff}) must be positive and not above --{FlagPrefix}.retry-max-backoff ({MaxBackoff})");
        }
    }
}

/// <summary>Settings of <see cref="FilesystemBucket"/>.</summary>
public sealed class FilesystemBucketConfig
{
    /// <summary>Gets or sets the root directory, e.g. <c>&lt;data.dir&gt;/bucket</c>. Flag <c>--blocks-storage.filesystem.dir</c>.</summary>
    public string Dir { get; set; } = "./data/bucket";
}

/// <summary>Settings of <see cref="S3Bucket"/>.</summary>
public sealed class S3BucketConfig
{
    /// <summary>
    /// Gets or sets the endpoint: <c>host:port</c> (scheme from <see cref="Insecure"/>) or a full URL; empty means
    /// AWS for <see cref="Region"/>. Flag <c>--blocks-storage.s3.endpoint</c>.
    /// </summary>
    public string Endpoint { get; set; } = string.Empty;

    /// <summary>Gets or sets the region (signing region for custom endpoints). Flag <c>--blocks-storage.s3.region</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Gets or sets the bucket name. Flag <c>--blocks-storage.s3.bucket-name</c>.</summary>
    public string BucketName { get; set; } = string.Empty;

    /// <summary>Gets or sets the access key id; empty uses the SDK's default chain (environment, profile, instance role). Flag <c>--blocks-storage.s3.access-key-id</c>.</summary>
    public string AccessKeyId { get; set; } = string.Empty;

    /// <summary>Gets or sets the secret access key; set together with <see cref="AccessKeyId"/>. Flag <c>--blocks-storage.s3.secret-access-key</c>.</summary>
    public string SecretAccessKey { get; set; } = string.Empty;

    /// <summary>Gets or sets a value indicating whether to use plain http. Flag <c>--blocks-storage.s3.insecure</c>.</summary>
    public bool Insecure { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether to address the bucket in the path (<c>http://host/bucket/key</c>)
    /// instead of the host name; most self-hosted S3 servers need it. Flag <c>--blocks-storage.s3.force-path-style</c>.
    /// </summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Gets or sets the timeout of one HTTP request (each retry gets its own). Flag <c>--blocks-storage.s3.request-timeout</c>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending flag when a setting is invalid.</summary>
    /// <param name="flagPrefix">The flags' prefix named in the message (<c>blocks-storage</c> or <c>ruler-storage</c>).</param>
    public void Validate(string flagPrefix = "blocks-storage")
    {
        if (string.IsNullOrWhiteSpace(BucketName))
        {
            throw new ArgumentException($"--{flagPrefix}.s3.bucket-name must be set for the s3 backend");
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            throw new ArgumentException($"--{flagPrefix}.s3.region must be set for the s3 backend");
        }

        if (string.IsNullOrEmpty(AccessKeyId) != string.IsNullOrEmpty(SecretAccessKey))
        {
            throw new ArgumentException($"--{flagPrefix}.s3.access-key-id and --{flagPrefix}.s3.secret-access-key must be set together (or both left empty for the default credential chain)");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--{flagPrefix}.s3.request-timeout must be positive, got {RequestTimeout}");
        }
    }
}
