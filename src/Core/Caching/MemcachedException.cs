namespace MetricsCluster.Core.Caching;

/// <summary>Memcached answered something other than the protocol's success reply.</summary>
public sealed class MemcachedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MemcachedException()
    {
    }

    /// <summary>Creates the exception with memcached's reply.</summary>
    public MemcachedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public MemcachedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
