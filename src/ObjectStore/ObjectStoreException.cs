namespace MetricsCluster.ObjectStore;

/// <summary>A failure of an object-storage operation (G17: typed exception at the storage boundary).</summary>
public class ObjectStoreException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ObjectStoreException"/> class.</summary>
    public ObjectStoreException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ObjectStoreException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ObjectStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ObjectStoreException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ObjectStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ObjectStoreException"/> class.</summary>
    /// <param name="message">The message; it names the backend, bucket and key.</param>
    /// <param name="isTransient">Whether retrying may succeed (network errors, timeouts, 5xx, throttling).</param>
    /// <param name="innerException">The cause.</param>
    public ObjectStoreException(string message, bool isTransient, Exception? innerException)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>Gets a value indicating whether retrying the operation may succeed.</summary>
    public bool IsTransient { get; }
}

/// <summary>The requested object does not exist. Never retried and never counted as an operation failure.</summary>
public sealed class ObjectNotFoundException : ObjectStoreException
{
    /// <summary>Initializes a new instance of the <see cref="ObjectNotFoundException"/> class.</summary>
    public ObjectNotFoundException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ObjectNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ObjectNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ObjectNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ObjectNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a missing <paramref name="key"/> in <paramref name="bucket"/>.</summary>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="key">The missing key.</param>
    /// <param name="innerException">The backend's error, if any.</param>
    /// <returns>The exception.</returns>
    public static ObjectNotFoundException For(string bucket, string key, Exception? innerException = null) =>
        innerException is null
            ? new ObjectNotFoundException($"object not found: bucket '{bucket}', key '{key}'") { Key = key }
            : new ObjectNotFoundException($"object not found: bucket '{bucket}', key '{key}'", innerException) { Key = key };

    /// <summary>Gets the missing key, when known.</summary>
    public string? Key { get; private init; }
}
