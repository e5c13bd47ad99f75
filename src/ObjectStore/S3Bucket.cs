using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace MetricsCluster.ObjectStore;

/// <summary>
/// A bucket on S3 or an S3-compatible server (MinIO, Ceph RGW, moto), through AWSSDK.S3 (Thanos objstore
/// <c>s3</c> provider).
/// </summary>
/// <remarks>
/// The SDK's own retries are off: <see cref="InstrumentedBucket"/> owns retries so they are counted and
/// bounded in one place. Objects are written with a single PutObject (enough below 5 GiB; no multipart).
/// Request checksums are sent only when the API requires them, as minio-go does, for compatibility with
/// S3-compatible servers. Failures surface as <see cref="ObjectStoreException"/> naming the endpoint,
/// bucket and key; a missing object as <see cref="ObjectNotFoundException"/>.
/// </remarks>
public sealed class S3Bucket : IBucket
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _endpoint;

    /// <summary>Initializes a new instance of the <see cref="S3Bucket"/> class.</summary>
    /// <param name="config">The settings; validated here.</param>
    /// <param name="name">The bucket name for metrics; defaults to <see cref="S3BucketConfig.BucketName"/>.</param>
    public S3Bucket(S3BucketConfig config, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _bucket = config.BucketName;
        Name = name ?? config.BucketName;

        var s3Config = new AmazonS3Config
        {
            ForcePathStyle = config.ForcePathStyle,
            UseHttp = config.Insecure,
            Timeout = config.RequestTimeout,
            ConnectTimeout = config.RequestTimeout,
            MaxErrorRetry = 0,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrEmpty(config.Endpoint))
        {
            s3Config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(config.Region);
            _endpoint = $"aws:{config.Region}";
        }
        else
        {
            _endpoint = config.Endpoint.Contains("://", StringComparison.Ordinal)
                ? config.Endpoint
                : (config.Insecure ? "http://" : "https://") + config.Endpoint;
            s3Config.ServiceURL = _endpoint;
            s3Config.AuthenticationRegion = config.Region;
        }

        _client = string.IsNullOrEmpty(config.AccessKeyId)
            ? new AmazonS3Client(s3Config)
            : new AmazonS3Client(new BasicAWSCredentials(config.AccessKeyId, config.SecretAccessKey), s3Config);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the most keys one ListObjectsV2 page asks for (S3's own limit is 1000); tests lower it to exercise paging.</summary>
    internal int ListPageSize { get; init; } = 1000;

    /// <inheritdoc />
    public async Task UploadAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        Stream body = content;
        MemoryStream? buffered = null;
        if (!content.CanSeek)
        {
            // PutObject needs the length up front; non-seekable input is buffered (objects here are block
            // files and small JSON documents).
            buffered = new MemoryStream();
            await content.CopyToAsync(buffered, cancellationToken).ConfigureAwait(false);
            buffered.Position = 0;
            body = buffered;
        }

        try
        {
            await Run("upload", key, cancellationToken, () => _client.PutObjectAsync(
                new PutObjectRequest { BucketName = _bucket, Key = key, InputStream = body, AutoCloseStream = false, AutoResetStreamPosition = false },
                cancellationToken)).ConfigureAwait(false);
        }
        finally
        {
            buffered?.Dispose();
        }
    }

    /// <inheritdoc />
    public async Task<Stream> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        var response = await Run("get", key, cancellationToken, () => _client.GetObjectAsync(
            new GetObjectRequest { BucketName = _bucket, Key = key }, cancellationToken)).ConfigureAwait(false);
        return response.ResponseStream;
    }

    /// <inheritdoc />
    public async Task<Stream> GetRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length == 0)
        {
            // S3 has no empty range; check existence so a missing object still throws.
            await AttributesAsync(key, cancellationToken).ConfigureAwait(false);
            return new MemoryStream([], writable: false);
        }

        var range = length < 0 ? new ByteRange($"bytes={offset}-") : new ByteRange(offset, offset + length - 1);
        try
        {
            var response = await Run("get_range", key, cancellationToken, () => _client.GetObjectAsync(
                new GetObjectRequest { BucketName = _bucket, Key = key, ByteRange = range }, cancellationToken)).ConfigureAwait(false);
            return response.ResponseStream;
        }
        catch (ObjectStoreException e) when (e.InnerException is AmazonS3Exception { StatusCode: HttpStatusCode.RequestedRangeNotSatisfiable })
        {
            // The range starts at or past the end (or the object is empty): no bytes, as on the filesystem.
            return new MemoryStream([], writable: false);
        }
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            await AttributesAsync(key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ObjectNotFoundException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        return Run("delete", key, cancellationToken, () => _client.DeleteObjectAsync(
            new DeleteObjectRequest { BucketName = _bucket, Key = key }, cancellationToken));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync(string prefix, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string dir = ObjectKey.NormalizeDirectory(prefix);
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = dir, Delimiter = recursive ? null : "/", MaxKeys = ListPageSize };
        while (true)
        {
            var page = await Run("iter", dir, cancellationToken, () => _client.ListObjectsV2Async(request, cancellationToken)).ConfigureAwait(false);

            // SDK v4 leaves empty collections null.
            foreach (var p in page.CommonPrefixes ?? [])
            {
                yield return p;
            }

            foreach (var o in page.S3Objects ?? [])
            {
                // A zero-byte "directory marker" object named like the prefix is not an entry.
                if (o.Key != dir)
                {
                    yield return o.Key;
                }
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <inheritdoc />
    public async Task<ObjectAttributes> AttributesAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        var meta = await Run("attributes", key, cancellationToken, () => _client.GetObjectMetadataAsync(
            new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, cancellationToken)).ConfigureAwait(false);
        var modified = meta.LastModified is { } m ? new DateTimeOffset(m.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;
        return new ObjectAttributes(meta.ContentLength, modified);
    }

    /// <summary>Disposes the S3 client.</summary>
    public void Dispose() => _client.Dispose();

    /// <summary>Classifies an error: network failures, timeouts, 5xx and throttling may pass on a retry.</summary>
    /// <param name="e">The error.</param>
    /// <returns>Whether a retry may succeed.</returns>
    internal static bool IsTransient(Exception e)
    {
        if (e is AmazonServiceException { StatusCode: var status } && (int)status >= 400)
        {
            return (int)status >= 500 || status == HttpStatusCode.TooManyRequests || status == HttpStatusCode.RequestTimeout
                || e is AmazonS3Exception { ErrorCode: "SlowDown" or "RequestTimeout" or "InternalError" };
        }

        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is HttpRequestException or IOException or SocketException or TimeoutException or TaskCanceledException)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<T> Run<T>(string operation, string key, CancellationToken cancellationToken, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            throw ObjectNotFoundException.For(Name, key, e);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException)
        {
            bool timedOut = e is OperationCanceledException or TimeoutException;
            string what = timedOut ? "timed out" : "failed";
            throw new ObjectStoreException(
                $"s3 {operation} {what}: endpoint {_endpoint}, bucket '{_bucket}', key '{key}': {e.Message}", IsTransient(e), e);
        }
    }
}
