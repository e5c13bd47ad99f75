namespace MetricsCluster.Core;

/// <summary>
/// A path built from untrusted parts would leave its root (<see cref="SafePath"/>). It derives from
/// <see cref="ArgumentException"/> so every boundary answers it as a bad request (HTTP 400, RPC InvalidArgument), never
/// as a retryable fault.
/// </summary>
public sealed class UnsafePathException : ArgumentException
{
    /// <summary>Initializes a new instance of the <see cref="UnsafePathException"/> class.</summary>
    /// <param name="root">The root the path had to stay under.</param>
    /// <param name="parts">The parts that were combined with it.</param>
    public UnsafePathException(string root, ReadOnlySpan<string> parts)
        : base($"refusing path: [{Describe(parts)}] escapes its root directory '{root}' (parts must be relative, without '..' leaving the root, or NUL)")
    {
        Root = root;
    }

    /// <summary>Gets the root the path had to stay under.</summary>
    public string Root { get; }

    private static string Describe(ReadOnlySpan<string> parts)
    {
        var quoted = new List<string>(parts.Length);
        foreach (string p in parts)
        {
            quoted.Add("'" + p?.Replace("\0", "\\0", StringComparison.Ordinal) + "'");
        }

        return string.Join(", ", quoted);
    }
}
