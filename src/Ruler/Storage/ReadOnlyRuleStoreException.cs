namespace MetricsCluster.Ruler.Storage;

/// <summary>A write to a store that is read-only (the <c>local</c> backend: rule files an operator manages).</summary>
public sealed class ReadOnlyRuleStoreException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="ReadOnlyRuleStoreException"/> class.</summary>
    public ReadOnlyRuleStoreException()
        : base("the rule store is read-only (--ruler-storage.backend=local): rule groups come from the rule files in --ruler-storage.local.directory; change those files instead")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ReadOnlyRuleStoreException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ReadOnlyRuleStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ReadOnlyRuleStoreException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ReadOnlyRuleStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
