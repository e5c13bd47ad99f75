using MetricsCluster.Core.Metrics;

namespace MetricsCluster.ObjectStore;

/// <summary>Builds the configured bucket, wrapped in <see cref="InstrumentedBucket"/> (Thanos <c>client.NewBucket</c>).</summary>
public static class BucketFactory
{
    /// <summary>Validates <paramref name="config"/> and creates its bucket with retries and metrics.</summary>
    /// <param name="config">The settings.</param>
    /// <param name="registry">Where the bucket metrics are registered.</param>
    /// <param name="name">The <c>bucket</c> metric label; defaults to the S3 bucket name or the filesystem directory.</param>
    /// <param name="timeProvider">The clock for backoff delays; defaults to the system clock.</param>
    /// <returns>The bucket; the caller disposes it.</returns>
    public static IBucket Create(BucketConfig config, MetricsRegistry registry, string? name = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        IBucket inner = config.Backend switch
        {
            BucketConfig.S3 => new S3Bucket(config.S3Config, name),
            _ => new FilesystemBucket(config.FilesystemConfig.Dir, name),
        };
        return new InstrumentedBucket(inner, registry, config.MaxRetries, config.MinBackoff, config.MaxBackoff, timeProvider);
    }
}
